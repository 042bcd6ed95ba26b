// The admin API on a local port: health and readiness, the current statuses and input problems,
// a config dump per proxy (resources served, versions ACKed), Prometheus metrics, and at `/` the
// admin console, a static page that reads those endpoints (console/).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConsoleAssets } from './consoleAssets.js';
import type { Metrics } from './metrics.js';

export interface AdminSources {
  ready(): boolean;
  /** Liveness of the parts that can get stuck (the provider); healthy when absent. */
  health?(): { healthy: boolean; message?: string };
  statuses(): unknown;
  problems(): unknown;
  configDump(): unknown;
  proxies(): unknown;
  /** Metrics of auxiliary services (the Rate Limit Service), Prometheus text, appended to /metrics. */
  auxiliaryMetrics?(): Promise<string>;
}

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startAdminServer(
  address: { host: string; port: number },
  sources: AdminSources,
  metrics: Metrics,
): Promise<AdminServer> {
  const routes: Record<string, (res: ServerResponse) => Promise<void> | void> = {
    '/healthz': (res) => {
      const health = sources.health?.() ?? { healthy: true };
      if (health.healthy) text(res, 200, 'ok\n');
      else text(res, 503, `unhealthy: ${health.message ?? 'unknown'}\n`);
    },
    '/readyz': (res) =>
      sources.ready() ? text(res, 200, 'ready\n') : text(res, 503, 'not ready\n'),
    '/statuses': (res) => json(res, sources.statuses()),
    '/problems': (res) => json(res, sources.problems()),
    '/config_dump': (res) => json(res, sources.configDump()),
    '/proxies': (res) => json(res, sources.proxies()),
    '/metrics': async (res) => {
      const own = await metrics.registry.metrics();
      // An auxiliary service that does not answer costs its metrics, not egts's.
      const auxiliary = await (sources.auxiliaryMetrics?.() ?? Promise.resolve('')).catch(() => '');
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(auxiliary === '' ? own : `${own}${own.endsWith('\n') ? '' : '\n'}${auxiliary}`);
    },
  };
  const assets = await loadConsoleAssets();
  for (const [path, asset] of assets) {
    routes[path] = (res) => {
      res.writeHead(200, {
        'content-type': asset.contentType,
        'cache-control': 'no-cache',
        // The page loads only its own script and style and talks only to this server.
        'content-security-policy': "default-src 'self'",
      });
      res.end(asset.body);
    };
  }
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://admin').pathname;
    const route = routes[path];
    if (req.method !== 'GET' || route === undefined) {
      text(res, 404, `not found; try ${Object.keys(routes).join(' ')}\n`);
      return;
    }
    Promise.resolve(route(res)).catch((error: unknown) => text(res, 500, `${String(error)}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}

function json(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(value, null, 2)}\n`);
}
