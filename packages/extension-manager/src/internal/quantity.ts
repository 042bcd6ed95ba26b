// Kubernetes resource quantities (`4M`, `8Mi`, `1024`) as byte counts, for maxMessageSize.
const SUFFIXES: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Bytes of `quantity`; throws on a form the EnvoyGateway schema does not allow. */
export function quantityBytes(quantity: number | string): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^([1-9][0-9]*)([EPTGMK]i|[EPTGMk])?$/.exec(quantity);
  if (!match) throw new Error(`maxMessageSize ${quantity} is not a quantity such as 4M or 8Mi`);
  return Number(match[1]) * (SUFFIXES[match[2] ?? ''] ?? 1);
}
