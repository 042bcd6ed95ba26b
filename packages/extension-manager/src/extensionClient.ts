// The gRPC client of an extension server (Envoy Gateway's EnvoyGatewayExtension service), from
// the EnvoyGateway `extensionManager.service`: fqdn, ip or unix socket (or the deprecated
// host/port), plaintext or TLS (server CA, optional client certificate), Envoy Gateway's retry
// policy, and maxMessageSize both ways (default 4M, as Envoy Gateway).
import type { ExtensionManager } from '@egts/api';
import {
  EnvoyGatewayExtensionClient,
  type PostClusterModifyRequest,
  type PostClusterModifyResponse,
  type PostEndpointsModifyRequest,
  type PostEndpointsModifyResponse,
  type PostHTTPListenerModifyRequest,
  type PostHTTPListenerModifyResponse,
  type PostRouteModifyRequest,
  type PostRouteModifyResponse,
  type PostTranslateModifyRequest,
  type PostTranslateModifyResponse,
  type PostVirtualHostModifyRequest,
  type PostVirtualHostModifyResponse,
} from '@egts/envoy-api';
import { type CallOptions, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { quantityBytes } from './internal/quantity.js';
import { serviceConfig } from './internal/serviceConfig.js';

/** PEM bytes for TLS to the extension: the CA that signs its certificate, and ours for mTLS. */
export interface ExtensionTls {
  readonly ca: Buffer;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
}

/** One call per hook, resolving to the extension's answer. */
export interface ExtensionClient {
  postRouteModify(request: PostRouteModifyRequest): Promise<PostRouteModifyResponse>;
  postVirtualHostModify(
    request: PostVirtualHostModifyRequest,
  ): Promise<PostVirtualHostModifyResponse>;
  postHTTPListenerModify(
    request: PostHTTPListenerModifyRequest,
  ): Promise<PostHTTPListenerModifyResponse>;
  postClusterModify(request: PostClusterModifyRequest): Promise<PostClusterModifyResponse>;
  postEndpointsModify(request: PostEndpointsModifyRequest): Promise<PostEndpointsModifyResponse>;
  postTranslateModify(request: PostTranslateModifyRequest): Promise<PostTranslateModifyResponse>;
  close(): void;
}

/** Envoy Gateway's default maxMessageSize (4M). */
const DEFAULT_MAX_MESSAGE_BYTES = 4_000_000;

/** The gRPC target of `service`: `host:port`, `[ipv6]:port` or `unix:path`. */
export function extensionTarget(service: ExtensionManager['service']): string {
  if (service.unix) return `unix:${service.unix.path}`;
  if (service.ip) {
    const address = service.ip.address.includes(':')
      ? `[${service.ip.address}]`
      : service.ip.address;
    return `${address}:${service.ip.port}`;
  }
  if (service.fqdn) return `${service.fqdn.hostname}:${service.fqdn.port}`;
  if (service.host) return `${service.host}:${service.port ?? 80}`;
  throw new Error('extensionManager.service: set one of fqdn, ip or unix');
}

export interface ExtensionClientOptions {
  readonly tls?: ExtensionTls | undefined;
  /**
   * How long one hook call may take, retries and waiting for the connection included; past it
   * the call fails (and failOpen decides). Envoy Gateway sets none and waits; default 10 s.
   */
  readonly callTimeoutMs?: number | undefined;
}

export function connectExtension(
  manager: ExtensionManager,
  options: ExtensionClientOptions = {},
): ExtensionClient {
  const maxBytes =
    manager.maxMessageSize === undefined
      ? DEFAULT_MAX_MESSAGE_BYTES
      : quantityBytes(manager.maxMessageSize);
  const tls = options.tls;
  const channelCredentials = tls
    ? credentials.createSsl(tls.ca, tls.key ?? null, tls.cert ?? null)
    : credentials.createInsecure();
  const client = new EnvoyGatewayExtensionClient(
    extensionTarget(manager.service),
    channelCredentials,
    {
      'grpc.max_send_message_length': maxBytes,
      'grpc.max_receive_message_length': maxBytes,
      'grpc.service_config': serviceConfig(manager.service),
    },
  );
  const timeoutMs = options.callTimeoutMs ?? 10_000;
  // Each generated method takes (request, metadata?, options?, callback).
  const call =
    <Req, Res>(
      method: (
        request: Req,
        metadata: Metadata,
        options: Partial<CallOptions>,
        callback: (error: ServiceError | null, response: Res) => void,
      ) => unknown,
    ) =>
    (request: Req): Promise<Res> =>
      new Promise((resolve, reject) => {
        method.call(
          client,
          request,
          new Metadata(),
          { deadline: Date.now() + timeoutMs },
          (error, response) => (error ? reject(error) : resolve(response)),
        );
      });
  return {
    postRouteModify: call(client.postRouteModify),
    postVirtualHostModify: call(client.postVirtualHostModify),
    postHTTPListenerModify: call(client.postHttpListenerModify),
    postClusterModify: call(client.postClusterModify),
    postEndpointsModify: call(client.postEndpointsModify),
    postTranslateModify: call(client.postTranslateModify),
    close: () => client.close(),
  };
}
