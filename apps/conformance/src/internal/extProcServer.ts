// A local stand-in for Envoy Gateway's e2e grpc-ext-proc server (gRPC, over TLS when its
// Deployment mounts a certificate): it answers
// request headers with `x-request-ext-processed: true`, the `xds.route_name` attribute as
// `x-request-xds-route-name`, a mutated `x-request-client-header` (the original kept in
// `x-request-client-header-received`) and dynamic metadata `io.envoyproxy.gateway.e2e:
// ext-proc-emitted-metadata=received`; response headers with `x-response-ext-processed: true`,
// `x-response-xds-route-name` and `x-response-request-path` from the attributes,
// `x-response-rbac-result-metadata` from the RBAC filter's metadata Envoy forwards, and dynamic
// metadata `io.envoyproxy.gateway.e2e:request_cost_set_by_ext_proc=10`; bodies pass
// unchanged. For egts's timeout tests, a request header `x-ext-proc-delay-ms` delays each answer.
import {
  ExternalProcessorService,
  type ProcessingRequest,
  ProcessingResponse,
} from '@egts/envoy-api';
import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import type { KubeObject } from './cluster.js';
import type { EchoServer } from './echoServer.js';
import { mountedCertificate } from './mountedCertificate.js';

type Headers = NonNullable<ProcessingRequest['requestHeaders']>;

const headerValue = (headers: Headers | undefined, name: string): string | undefined => {
  const found = headers?.headers?.headers.find((h) => h.key === name);
  if (!found) return undefined;
  return found.rawValue.length > 0 ? found.rawValue.toString() : found.value;
};

/** An attribute Envoy sent (keyed by the filter's name, then the attribute's). */
const attribute = (request: ProcessingRequest, name: string): string | undefined => {
  for (const values of Object.values(request.attributes)) {
    const value = values?.[name];
    if (typeof value === 'string') return value;
  }
  return undefined;
};

const set = (entries: [string, string | undefined][]) => ({
  setHeaders: entries
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([key, value]) => ({ header: { key, rawValue: Buffer.from(value).toString('base64') } })),
});

/** The answer to one message, as proto3 JSON (ProcessingResponse.fromJSON fills in defaults). */
function answer(request: ProcessingRequest): Record<string, unknown> {
  if (request.requestHeaders) {
    const client = headerValue(request.requestHeaders, 'x-request-client-header');
    return {
      requestHeaders: {
        response: {
          headerMutation: set([
            ['x-request-ext-processed', 'true'],
            ['x-request-xds-route-name', attribute(request, 'xds.route_name') ?? ''],
            ['x-request-client-header', client === undefined ? undefined : 'mutated'],
            ['x-request-client-header-received', client],
          ]),
        },
      },
      dynamicMetadata: {
        'io.envoyproxy.gateway.e2e': { 'ext-proc-emitted-metadata': 'received' },
      },
    };
  }
  if (request.responseHeaders) {
    // What the RBAC filter decided (Envoy's rbac dynamic metadata), as the e2e server reports it.
    const rbac = request.metadataContext?.filterMetadata['envoy.filters.http.rbac'];
    const enforced = rbac?.enforced_engine_result;
    return {
      responseHeaders: {
        response: {
          headerMutation: set([
            ['x-response-ext-processed', 'true'],
            ['x-response-xds-route-name', attribute(request, 'xds.route_name')],
            ['x-response-request-path', attribute(request, 'request.path')],
            [
              'x-response-rbac-result-metadata',
              typeof enforced === 'string' ? enforced : undefined,
            ],
          ]),
        },
      },
      // The usage a response reports, read by a global rate limit's response cost (UsageRateLimit).
      dynamicMetadata: { 'io.envoyproxy.gateway.e2e': { request_cost_set_by_ext_proc: 10 } },
    };
  }
  if (request.requestBody) return { requestBody: { response: {} } };
  if (request.responseBody) return { responseBody: { response: {} } };
  if (request.requestTrailers) return { requestTrailers: {} };
  return { responseTrailers: {} };
}

function process(call: ServerDuplexStream<ProcessingRequest, ProcessingResponse>): void {
  let delayMs = 0;
  call.on('data', (request: ProcessingRequest) => {
    const delay = headerValue(request.requestHeaders, 'x-ext-proc-delay-ms');
    if (delay !== undefined) delayMs = Number(delay);
    const reply = ProcessingResponse.fromJSON(answer(request));
    if (delayMs > 0) setTimeout(() => call.write(reply), delayMs);
    else call.write(reply);
  });
  call.on('end', () => call.end());
  call.on('error', () => call.end());
}

/**
 * Plaintext, or TLS with the certificate of a Secret the Deployment mounts (the e2e
 * grpc-ext-proc image's `--certPath`).
 */
export const startExtProcServer = async (
  namespace: string,
  pod: string,
  deployment?: KubeObject,
  get?: (kind: string, namespace: string, name: string) => KubeObject | undefined,
): Promise<EchoServer> => {
  const server = new Server();
  server.addService(ExternalProcessorService, { process });
  const certificate =
    deployment && get ? mountedCertificate(deployment, namespace, get) : undefined;
  const credentials = certificate
    ? ServerCredentials.createSsl(null, [
        { cert_chain: certificate.cert, private_key: certificate.key },
      ])
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    namespace,
    pod,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.forceShutdown();
        done();
      }),
  };
};
