// Shared by the BackendTrafficPolicy integration tests: local Node backends standing in for pods
// (each records what it saw), a raw HTTP client (bodies as bytes, so compressed answers can be
// checked), and manifest builders for Services, HTTPRoutes and policies.
import { createServer, request, type Server } from 'node:http';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body as received (not decompressed). */
  raw: Buffer;
}

/** Requests each backend answered, by backend name (path and x-id header). */
export const seen = new Map<string, string[]>();

export type Handler = (
  path: string,
  headers: Record<string, unknown>,
  body: Buffer,
) => {
  status: number;
  delayMs?: number;
  body?: string;
  contentType?: string;
  /** One extra response header, `[name, value]`. */
  header?: [string, string];
};

export const startBackend = (
  name: string,
  host: string,
  port: number,
  handle: Handler,
): Promise<Server> =>
  new Promise((resolve, reject) => {
    seen.set(name, []);
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.get(name)?.push(req.url ?? '');
        const answer = handle(req.url ?? '', req.headers, Buffer.concat(chunks));
        setTimeout(() => {
          res.statusCode = answer.status;
          if (answer.contentType) res.setHeader('content-type', answer.contentType);
          if (answer.header) res.setHeader(answer.header[0], answer.header[1]);
          res.end(answer.body ?? JSON.stringify({ backend: name }));
        }, answer.delayMs ?? 0);
      });
    });
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });

export const ok: Handler = () => ({ status: 200 });

export const send = (
  port: number,
  path: string,
  headers: Record<string, string> = {},
  options: { method?: string; body?: Buffer | string } = {},
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers, agent: false, method: options.method ?? 'GET' },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString(), raw });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });

export const get = (port: number, path: string, headers: Record<string, string> = {}) =>
  send(port, path, headers);

export const backendOf = (reply: Reply): string | undefined => {
  try {
    return (JSON.parse(reply.body) as { backend?: string }).backend;
  } catch {
    return undefined;
  }
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const closeAll = (servers: readonly Server[]) =>
  Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));

export const gatewayManifests = (port: number) => `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: ${port}}]}
`;

export const service = (name: string, port: number, addresses: string[]) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {ports: [{name: http, port: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: default, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [${addresses.map((a) => `{addresses: [${a}], conditions: {ready: true}}`).join(', ')}]
ports: [{name: http, port: ${port}}]
`;

export const route = (name: string, backend: string, port: number) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: /${name}}}], backendRefs: [{name: ${backend}, port: ${port}}]}]
`;

export const policy = (name: string, spec: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: ${name}, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${name}}]
${spec}`;

/** The Accepted reason of each BackendTrafficPolicy in `statuses` (first ancestor). */
export const acceptedReasons = (
  statuses: readonly { kind: string; metadata: { name: string }; status: unknown }[],
) =>
  statuses
    .filter((s) => s.kind === 'BackendTrafficPolicy')
    .map((s) => {
      const ancestors = (
        s.status as { ancestors?: { conditions: { type: string; reason: string }[] }[] }
      ).ancestors;
      return {
        kind: s.kind,
        name: s.metadata.name,
        accepted: ancestors?.[0]?.conditions.find((c) => c.type === 'Accepted')?.reason,
      };
    });

/**
 * Translates the manifests in `text` and starts a real Envoy on the first Gateway's static
 * bootstrap (its listeners, routes and clusters inline), ready to answer. `adjust` may change the
 * bootstrap's proto3 JSON first (to point it at a local stand-in, say).
 */
export const startTranslated = async (
  text: string,
  file: string,
  adjust: (bootstrap: Record<string, unknown>) => Record<string, unknown> = (b) => b,
): Promise<{ envoy: EnvoyHandle; statuses: ReturnType<typeof acceptedReasons> }> => {
  const { resources } = loadResourcesFromText(text, file);
  const result = translate(resources);
  const ir = result.xdsIR[0];
  if (ir === undefined) throw new Error('no xDS IR');
  const envoy = startEnvoy({
    config: adjust(bootstrapToJson(translateBootstrap(ir)) as Record<string, unknown>),
    logLevel: 'warn',
  });
  await envoy.ready(60_000);
  return { envoy, statuses: acceptedReasons(result.statuses) };
};
