// Shared by the ClientTrafficPolicy integration tests: one Gateway `gw` with a listener per setting
// and a policy on each listener's section, the local echo backend its routes reach, and a raw
// HTTP/1.1 keep-alive connection to watch what Envoy does to it. Manifests are YAML documents that
// each start with `---`, so a test joins them in the order it wants.
import type { Server } from 'node:http';
import type { Http2Server } from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import type { Certificate } from '../internal/certificates.js';
import { freePort } from '../internal/freePort.js';
import { service, sleep } from './backendTrafficFixture.js';

export { sleep };

const NS = 'default';

/** A free local port for each listener name. */
export const freePorts = async (names: readonly string[]): Promise<Record<string, number>> => {
  const ports: Record<string, number> = {};
  for (const name of names) ports[name] = await freePort();
  return ports;
};

/** Starts `server` (a local backend) on a free 127.0.0.1 port; returns the port. */
export const listenOnFreePort = async (server: Server | Http2Server): Promise<number> => {
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return port;
};

export const closeServer = (server: Server | Http2Server | undefined): Promise<unknown> =>
  new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));

/** An HTTP listener, as one entry of `gatewayWithListeners`; `extra` adds fields (`, hostname: …`). */
export const httpListener = (name: string, port: number, extra = '') =>
  `{name: ${name}, protocol: HTTP, port: ${port}${extra}}`;

/** An HTTPS listener terminating TLS with the `serverCertificate` Secret. */
export const httpsListener = (name: string, port: number) =>
  `{name: ${name}, protocol: HTTPS, port: ${port}, tls: {certificateRefs: [{name: server-cert}]}}`;

/** GatewayClass `eg` (Envoy Gateway's controller) and Gateway `gw` with these listeners. */
export const gatewayWithListeners = (listeners: readonly string[]) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: ${NS}}
spec:
  gatewayClassName: eg
  listeners:
${listeners.map((listener) => `  - ${listener}`).join('\n')}
`;

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** The TLS Secret `server-cert` the HTTPS listeners serve. */
export const serverCertificate = (server: Certificate) => `---
apiVersion: v1
kind: Secret
metadata: {name: server-cert, namespace: ${NS}}
type: kubernetes.io/tls
data: {tls.crt: ${b64(server.cert)}, tls.key: ${b64(server.key)}}
`;

/** Service `echo` with its EndpointSlice: the local backend on 127.0.0.1:`port`. */
export const echoService = (port: number) => service('echo', port, ['127.0.0.1']);

/** HTTPRoute `echo`: every request on every listener of `gw` to the echo Service. */
export const echoRoute = (port: number) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: echo, namespace: ${NS}}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: echo, port: ${port}}]
`;

/**
 * ClientTrafficPolicy `name` on listener `section` of `gw`, or on the whole Gateway when undefined;
 * `spec` is the YAML under `spec:` besides the targetRefs, unindented.
 */
export const clientTrafficPolicy = (name: string, section: string | undefined, spec: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: ${name}, namespace: ${NS}}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw${section ? `, sectionName: ${section}` : ''}}]
${spec
  .trimEnd()
  .split('\n')
  .map((line) => `  ${line}`)
  .join('\n')}
`;

/** One ClientTrafficPolicy per listener, named after it: listener name -> spec (as above). */
export const listenerPolicies = (specs: Record<string, string>) =>
  Object.entries(specs)
    .map(([listener, spec]) => clientTrafficPolicy(listener, listener, spec))
    .join('');

/** A ClientTrafficPolicy on the whole Gateway `gw` (the listeners no section policy targets). */
export const gatewayPolicy = (name: string, spec: string) =>
  clientTrafficPolicy(name, undefined, spec);

/** An HTTP/1.1 keep-alive connection: requests one at a time, and whether the peer closed it. */
export class KeepAliveConnection {
  private readonly socket: Socket;
  /** What the peer sent since the last `get`. */
  text = '';
  closed = false;
  private readonly ready: Promise<void>;

  constructor(port: number) {
    this.socket = netConnect({ host: '127.0.0.1', port });
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => {
      this.text += chunk;
    });
    this.socket.on('close', () => {
      this.closed = true;
    });
    this.socket.on('error', () => {});
    this.ready = new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  async write(data: string): Promise<void> {
    await this.ready;
    this.socket.write(data);
  }

  /** Sends a GET and returns the response head once its body (by length) is in. */
  async get(path: string): Promise<string> {
    this.text = '';
    await this.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
    for (let i = 0; i < 600 && !this.closed; i++) {
      const head = this.text.split('\r\n\r\n')[0] ?? '';
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? -1);
      if (length >= 0 && this.text.length >= head.length + 4 + length) return head;
      await sleep(50);
    }
    return this.text;
  }

  /** Waits up to `ms` for the peer to close; whether it did. */
  async closesWithin(ms: number): Promise<boolean> {
    for (let waited = 0; waited < ms && !this.closed; waited += 100) await sleep(100);
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
