// Reads a running egts's admin API (`egts status`, `egts config proxy`): one JSON GET, with an error
// that says which address did not answer and how to point at another.
import { type Address, parseAddress } from './address.js';

/** The admin address `egts run` and `egts server` listen on by default. */
export const DEFAULT_ADMIN_ADDRESS: Address = { host: '127.0.0.1', port: 19000 };

export const adminAddressOption = [
  '--admin-address <host:port>',
  'the admin API of the running egts',
  parseAddress,
  DEFAULT_ADMIN_ADDRESS,
] as const;

export const formatAddress = (address: Address): string =>
  address.host.includes(':')
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;

/** GET `path` from `address` and parse it as JSON; throws an Error naming what failed. */
export async function getJson(address: Address | string, path: string): Promise<unknown> {
  const base = typeof address === 'string' ? address : formatAddress(address);
  const url = `http://${base}${path}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(`cannot reach ${url} (${cause}); is egts running? (--admin-address)`);
  }
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}
