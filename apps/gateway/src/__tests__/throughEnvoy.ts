// What the end-to-end tests through real Envoy share: local echo backends, a free port for the
// Gateway's listener, the resources that route to them, and polling a request through Envoy.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Local HTTP backends that answer `{ backend, path }`; `close()` stops them all. */
export class Backends {
  readonly #servers: Server[] = [];

  async start(name: string): Promise<number> {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ backend: name, path: req.url }));
    });
    this.#servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  close(): void {
    for (const server of this.#servers) server.close();
  }
}

export { freePort } from '@egts/envoy-binary';

/** A Service on 127.0.0.1:`port` and its EndpointSlice, as a YAML stream that starts with `---`. */
export const service = (name: string, port: number) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {ports: [{name: http, port: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: default, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: ${port}}]
`;

/** GatewayClass `eg` and Gateway `eg` with one HTTP listener on `listenerPort`, then `rest`. */
export const gatewayWith = (
  listenerPort: number,
  rest: string,
) => `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: eg, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: ${listenerPort}}]
${rest}`;

/** An HTTPRoute on Gateway `eg` sending `prefix` to a backend; `version` sets its resourceVersion. */
export const route = (
  name: string,
  prefix: string,
  backend: string,
  port: number,
  version?: string,
) =>
  `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default${version ? `, resourceVersion: "${version}"` : ''}}
spec:
  parentRefs: [{name: eg}]
  rules:
  - matches: [{path: {type: PathPrefix, value: ${prefix}}}]
    backendRefs: [{name: ${backend}, port: ${port}}]
`;

/** Status and backend of one request through Envoy; status 0 when the connection fails. */
export async function getThroughEnvoy(
  port: number,
  path: string,
): Promise<{ status: number; backend?: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(2000),
    });
    const text = await res.text();
    if (res.status !== 200) return { status: res.status };
    return { status: 200, backend: (JSON.parse(text) as { backend: string }).backend };
  } catch {
    return { status: 0 };
  }
}

/**
 * The first answer Envoy gives on `path`: retried only while there is none (a request timed out or
 * refused), which on a loaded machine says nothing about the configuration; a wrong answer is
 * returned as it is, for the caller to check.
 */
export async function answerThroughEnvoy(
  port: number,
  path: string,
  timeoutMs = 60_000,
): Promise<{ status: number; backend?: string }> {
  const started = performance.now();
  for (;;) {
    const answer = await getThroughEnvoy(port, path);
    if (answer.status !== 0 || performance.now() - started >= timeoutMs) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls until `check` holds; returns the milliseconds it took, or throws with `context()`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  context: () => string,
  timeoutMs = 60_000,
): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await check()) return Math.round(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}\n${context()}`);
}
