// What a ClientTrafficPolicy changes on a listener beyond the shared settings (settings.ts): how
// the client's address is found, timeouts, connection limits, PROXY protocol, TCP keepalive, path
// handling, HTTP/1 options, the health check endpoint, header handling and TLS parameters. Every
// field is optional: absent means Envoy Gateway's default (the xds-translator's defaults).
import { z } from 'zod';

/** A header mutation applied by the connection manager (`earlyRequestHeaders`, `lateResponseHeaders`). */
export const HeaderMutationSchema = z.object({
  /** Appended to existing values. */
  add: z.array(z.object({ name: z.string(), value: z.string() })),
  /** Replacing existing values. */
  set: z.array(z.object({ name: z.string(), value: z.string() })),
  /** Added only when the header is absent. */
  addIfAbsent: z.array(z.object({ name: z.string(), value: z.string() })),
  /** Header names removed. */
  remove: z.array(z.string()),
  /** Headers whose names match are removed (Envoy's mutation rule remove_on_match). */
  removeOnMatch: z
    .array(
      z.object({
        type: z.enum(['Exact', 'Prefix', 'Suffix', 'RegularExpression']),
        value: z.string(),
      }),
    )
    .optional(),
});
export type HeaderMutation = z.infer<typeof HeaderMutationSchema>;

/** Client certificate validation as a ClientTrafficPolicy asks for it (`tls.clientValidation`). */
export const ClientValidationSchema = z.object({
  /** PEM CA bundle; absent when the mode only requests a certificate. */
  caCertificate: z.string().optional(),
  /**
   * Require: a valid certificate or no handshake. Optional: no certificate is fine, an invalid one
   * is not. Request / RequireAny: ask for (require) a certificate without verifying it.
   */
  mode: z.enum(['Require', 'Optional', 'Request', 'RequireAny']),
  /** Revocation lists (PEM); `onlyLeaf` checks only the client's own certificate against them. */
  crl: z.object({ pem: z.string(), onlyLeaf: z.boolean() }).optional(),
  /** Base64 SHA-256 hashes of the accepted certificates' public keys (pins). */
  spkiHashes: z.array(z.string()).optional(),
  /** Hex SHA-256 hashes of the accepted certificates (pins). */
  certificateHashes: z.array(z.string()).optional(),
  /** The certificate must carry one of these subject alternative names. */
  subjectAltNames: z
    .array(
      z.object({
        kind: z.enum(['DNS', 'EMAIL', 'IP_ADDRESS', 'URI', 'OTHER_NAME']),
        /** The OID of an OTHER_NAME. */
        oid: z.string().optional(),
        type: z.enum(['Exact', 'Prefix', 'Suffix', 'RegularExpression']),
        value: z.string(),
      }),
    )
    .optional(),
  /** Expired client certificates are accepted. */
  allowExpired: z.boolean().optional(),
});
export type ClientValidation = z.infer<typeof ClientValidationSchema>;

export const ClientTrafficSchema = z.object({
  clientIPDetection: z
    .object({
      /** Trusted proxies in front of Envoy (`x-forwarded-for` entries from the right). */
      xffNumTrustedHops: z.number().int().nonnegative().optional(),
      /** Peers in these ranges are trusted proxies (`x-forwarded-for` read from the right). */
      xffTrustedCidrs: z
        .array(z.object({ addressPrefix: z.string(), prefixLen: z.number().int() }))
        .optional(),
      /** Do not append the peer's address to `x-forwarded-for`. */
      skipXffAppend: z.boolean().optional(),
      /** The client's address is this header's value; failClosed answers 403 without it. */
      customHeader: z.object({ name: z.string(), failClosed: z.boolean() }).optional(),
      /** The client is the TCP peer: `x-forwarded-for` is never read (`directSourceIP`). */
      directSource: z.boolean().optional(),
    })
    .optional(),
  timeouts: z
    .object({
      requestReceivedMs: z.number().nonnegative().optional(),
      requestHeadersReceivedMs: z.number().nonnegative().optional(),
      idleMs: z.number().nonnegative().optional(),
      streamIdleMs: z.number().nonnegative().optional(),
      /** TLS handshakes that take longer are closed (the chains' transport socket timeout). */
      tlsHandshakeMs: z.number().nonnegative().optional(),
      /** Listener filters (TLS inspection, PROXY protocol) that take longer close the connection. */
      connectionInspectionMs: z.number().nonnegative().optional(),
      /** TCP proxy connections with no bytes either way for this long are closed (TCP listeners). */
      tcpIdleMs: z.number().nonnegative().optional(),
    })
    .optional(),
  /** Downstream connections per listener; over the limit, connections are closed. */
  connectionLimit: z
    .object({
      maxConnections: z.number().int().positive(),
      closeDelayMs: z.number().nonnegative().optional(),
    })
    .optional(),
  /** Kernel receive buffer of each accepted socket, in bytes (`connection.socketBufferLimit`). */
  socketBufferLimitBytes: z.number().int().positive().optional(),
  /** Limits of each client connection's lifetime and use (HTTP). */
  connectionLifetime: z
    .object({
      maxConnectionDurationMs: z.number().nonnegative().optional(),
      maxRequestsPerConnection: z.number().int().nonnegative().optional(),
      maxStreamDurationMs: z.number().nonnegative().optional(),
    })
    .optional(),
  /** TCP keepalive on client sockets; absent fields keep the system's values. */
  tcpKeepalive: z
    .object({
      probes: z.number().int().positive().optional(),
      idleTimeS: z.number().int().positive().optional(),
      intervalS: z.number().int().positive().optional(),
    })
    .optional(),
  /** Expect a PROXY protocol header (v1 or v2) on each connection; optional lets others in. */
  proxyProtocol: z.object({ optional: z.boolean() }).optional(),
  path: z
    .object({
      escapedSlashesAction: z
        .enum(['KeepUnchanged', 'RejectRequest', 'UnescapeAndRedirect', 'UnescapeAndForward'])
        .optional(),
      disableMergeSlashes: z.boolean().optional(),
    })
    .optional(),
  http1: z
    .object({
      /**
       * Accept HTTP/1.0; with `useDefaultHost`, a host-less request gets the listener's one
       * hostname: its own, or else the only one of its routes (worked out from the listener's
       * routes when its Envoy listener is built, so that it follows route changes).
       */
      http10: z.object({ useDefaultHost: z.boolean().optional() }).optional(),
      enableTrailers: z.boolean().optional(),
      preserveHeaderCase: z.boolean().optional(),
      /**
       * Past the maximum connection duration, Envoy closes an HTTP/1 connection at once (drain)
       * rather than after the next response with `connection: close` (the default).
       */
      disableSafeMaxConnectionDuration: z.boolean().optional(),
      /** HTTP/1.1 upgrades of these types are stripped and the request served as plain HTTP/1.1. */
      ignoredUpgradeTypes: z
        .array(
          z.object({
            type: z.enum(['Exact', 'Prefix', 'Suffix', 'RegularExpression']),
            value: z.string(),
          }),
        )
        .optional(),
    })
    .optional(),
  /**
   * Also serve HTTP/3: a QUIC (UDP) listener beside each HTTPS one, on the same port, which the
   * TCP listener's responses advertise (`alt-svc`).
   */
  http3: z.object({}).optional(),
  /** HTTP/2 PING keepalives on client connections (`http2.connectionKeepalive`). */
  http2Keepalive: z
    .object({
      intervalMs: z.number().nonnegative().optional(),
      timeoutMs: z.number().nonnegative().optional(),
      intervalJitterPercent: z.number().nonnegative().optional(),
      idleIntervalMs: z.number().nonnegative().optional(),
    })
    .optional(),
  /** Invalid HTTP/2 messages close only their stream (TerminateStream) or the connection. */
  http2OnInvalidMessage: z.enum(['TerminateConnection', 'TerminateStream']).optional(),
  /** gRPC-Web requests become gRPC on this listener, whatever its routes (`grpc.enableWeb`). */
  grpcWeb: z.boolean().optional(),
  /** `:scheme` towards backends follows their transport (http, https) rather than the client's. */
  schemeMatchesBackend: z.boolean().optional(),
  /** Path Envoy answers itself with 200 (503 while draining). */
  healthCheckPath: z.string().optional(),
  headers: z
    .object({
      preserveExternalRequestId: z.boolean().optional(),
      requestId: z.enum(['PreserveOrGenerate', 'Preserve', 'Generate', 'Disable']).optional(),
      earlyRequest: HeaderMutationSchema.optional(),
      lateResponse: HeaderMutationSchema.optional(),
      xfcc: z
        .object({
          mode: z.enum([
            'Sanitize',
            'ForwardOnly',
            'AppendForward',
            'SanitizeSet',
            'AlwaysForwardOnly',
          ]),
          certDetails: z.array(z.enum(['Cert', 'Chain', 'Subject', 'URI', 'DNS'])),
        })
        .optional(),
      maxRequestHeadersKb: z.number().int().positive().optional(),
      stripTrailingHostDot: z.boolean().optional(),
    })
    .optional(),
  tls: z
    .object({
      minVersion: z.enum(['1.0', '1.1', '1.2', '1.3']).optional(),
      maxVersion: z.enum(['1.0', '1.1', '1.2', '1.3']).optional(),
      ciphers: z.array(z.string()).optional(),
      ecdhCurves: z.array(z.string()).optional(),
      signatureAlgorithms: z.array(z.string()).optional(),
      clientValidation: ClientValidationSchema.optional(),
      /** TLS client fingerprints computed for `%TLS_JA3_FINGERPRINT%` / `%TLS_JA4_FINGERPRINT%`. */
      fingerprints: z.array(z.enum(['JA3', 'JA4'])).optional(),
    })
    .optional(),
});
export type ClientTraffic = z.infer<typeof ClientTrafficSchema>;
