// A cluster for the host and port of a URL Envoy fetches code from (the Wasm cache, a remote
// dynamic module): one per address, an HTTP endpoint by IP or by name.
import type { RouteDestination, UpstreamTLS } from '@egts/ir';

export interface UrlCluster {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly https: boolean;
}

/** The cluster `<prefix>/<host>:<port>` for `raw` (port 80 or 443 when the URL has none). */
export const urlCluster = (prefix: string, raw: string): UrlCluster => {
  const url = new URL(raw);
  const https = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? (https ? 443 : 80) : Number(url.port);
  return { name: `${prefix}/${host}:${port}`, host, port, https };
};

export const isIpAddress = (host: string): boolean => /^[\d.]+$/.test(host) || host.includes(':');

/** The destination reaching `cluster`'s one endpoint over HTTP, with `tls` when given. */
export const urlDestination = (cluster: UrlCluster, tls?: UpstreamTLS): RouteDestination => ({
  name: cluster.name,
  settings: [
    {
      name: cluster.name,
      weight: 1,
      protocol: 'HTTP',
      addressType: isIpAddress(cluster.host) ? 'IP' : 'FQDN',
      endpoints: [{ host: cluster.host, port: cluster.port, ready: true }],
      ...(tls ? { tls } : {}),
    },
  ],
});
