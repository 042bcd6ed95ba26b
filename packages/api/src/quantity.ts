// Kubernetes resource quantities (`24Ki`, `1M`, `100m`, `1e3`) as numbers: the int-or-string
// size fields of Envoy Gateway's kinds, read by the translator and by the infra-manager.

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A quantity's value, or undefined when it is not a Kubernetes quantity. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const match = QUANTITY.exec(value);
  if (!match) return undefined;
  const [, number, suffix] = match;
  const scale =
    suffix === undefined
      ? 1
      : /^[eE]/.test(suffix)
        ? 10 ** Number(suffix.slice(1))
        : SUFFIX[suffix];
  return Number(number) * (scale ?? 1);
}
