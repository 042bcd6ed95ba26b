// A ClientTrafficPolicy's settings as IR: the listener's shared settings (connection, headers,
// HTTP/2) and the rest (ClientTraffic). Only fields the registry lists as applied are read; the
// policy was validated before (validateClientTrafficPolicy), so values here parse.
import type {
  ClientTraffic,
  ClientValidation,
  ConnectionSettings,
  HeaderMutation,
  HeaderSettings,
  HTTP2Settings,
  ListenerTLS,
} from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import { clientCaBundle, clientCrlBundle } from './validation/clientValidation.js';
import type { PolicyRef } from './validation/policyBackendRefs.js';
import { list, type Obj, obj, parseGoDuration, parseQuantity } from './validation/policyValues.js';

/** What a ClientTrafficPolicy makes of the listeners it reaches. */
export interface ListenerTraffic {
  connection?: ConnectionSettings;
  headers?: HeaderSettings;
  http2?: HTTP2Settings;
  clientTraffic?: ClientTraffic;
  /** Replaces the listener's ALPN protocols (HTTPS). */
  alpnProtocols?: string[];
  sessionResumption?: NonNullable<ListenerTLS['sessionResumption']>;
  /** HTTP/1.0 requests without a host get the listener's one hostname (http10.useDefaultHost). */
  useDefaultHost?: boolean;
}

const int = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) ? v : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
const quantity = (v: unknown): number | undefined =>
  v === undefined || v === null ? undefined : parseQuantity(v);
const seconds = (v: unknown): number | undefined => {
  const ms = parseGoDuration(v);
  return ms === undefined ? undefined : Math.max(1, Math.round(ms / 1000));
};

/** `{...}` without its undefined fields (exactOptionalPropertyTypes), or undefined when empty. */
function defined<T extends object>(value: { [K in keyof T]?: T[K] | undefined }): T | undefined {
  const out = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
  return Object.keys(out).length === 0 ? undefined : (out as T);
}

const pairs = (v: unknown) =>
  list(v).map((h) => ({ name: String(h.name ?? ''), value: String(h.value ?? '') }));

type NameMatch = NonNullable<HeaderMutation['removeOnMatch']>[number];
const MATCH_TYPES = new Set<unknown>(['Exact', 'Prefix', 'Suffix', 'RegularExpression']);

/** String matches (`type` defaults to Exact), or undefined when there are none. */
function nameMatches(v: unknown): NameMatch[] | undefined {
  const matches = list(v).map(
    (match): NameMatch => ({
      type: (MATCH_TYPES.has(match.type) ? match.type : 'Exact') as NameMatch['type'],
      value: String(match.value ?? ''),
    }),
  );
  return matches.length > 0 ? matches : undefined;
}

function headerMutation(m: Obj | undefined): HeaderMutation | undefined {
  if (!m) return undefined;
  const removeOnMatch = nameMatches(m.removeOnMatch) ?? [];
  return {
    add: pairs(m.add),
    set: pairs(m.set),
    addIfAbsent: pairs(m.addIfAbsent),
    remove: strings(m.remove) ?? [],
    ...(removeOnMatch.length > 0 ? { removeOnMatch } : {}),
  };
}

/** `10.0.0.0/8` as Envoy's CidrRange; the CRD's pattern has checked the form. */
function cidrs(v: unknown): { addressPrefix: string; prefixLen: number }[] | undefined {
  const ranges = strings(v);
  if (ranges === undefined || ranges.length === 0) return undefined;
  return ranges.map((range) => {
    const [addressPrefix = '', prefixLen = ''] = range.split('/');
    return { addressPrefix, prefixLen: Number.parseInt(prefixLen, 10) };
  });
}

type TlsVersion = NonNullable<NonNullable<ClientTraffic['tls']>['minVersion']>;
/** `Auto` and absent leave Envoy Gateway's default. */
const tlsVersion = (v: unknown): TlsVersion | undefined =>
  v === '1.0' || v === '1.1' || v === '1.2' || v === '1.3' ? v : undefined;

function clientValidation(
  ctx: TranslatorContext,
  policy: PolicyRef,
  v: Obj | undefined,
): NonNullable<ClientTraffic['tls']>['clientValidation'] {
  if (!v) return undefined;
  // `optional` is the deprecated spelling of mode AllowInsecureFallback.
  const mode =
    v.mode === 'Request' || v.mode === 'RequireAny'
      ? v.mode
      : v.mode === 'AllowInsecureFallback' || v.optional === true
        ? 'Optional'
        : 'Require';
  const caCertificate = clientCaBundle(ctx, policy, v);
  const crl = clientCrlBundle(ctx, policy, v);
  const sans = obj(v.subjectAltNames);
  const subjectAltNames = SAN_KINDS.flatMap(([field, kind]) =>
    list(sans?.[field]).map((san) => ({
      kind,
      ...(typeof san.oid === 'string' ? { oid: san.oid } : {}),
      type: (MATCH_TYPES.has(san.type) ? san.type : 'Exact') as NameMatch['type'],
      value: String(san.value ?? ''),
    })),
  );
  const spkiHashes = strings(v.spkiHashes);
  const certificateHashes = strings(v.certificateHashes);
  return {
    mode,
    ...(caCertificate === undefined ? {} : { caCertificate }),
    ...(crl === undefined
      ? {}
      : { crl: { pem: crl, onlyLeaf: obj(v.crl)?.onlyVerifyLeafCertificate === true } }),
    ...(spkiHashes?.length ? { spkiHashes } : {}),
    ...(certificateHashes?.length ? { certificateHashes } : {}),
    ...(subjectAltNames.length > 0 ? { subjectAltNames } : {}),
    ...(v.allowExpiredCertificate === true ? { allowExpired: true } : {}),
  };
}

type Fingerprint = NonNullable<NonNullable<ClientTraffic['tls']>['fingerprints']>[number];
const fingerprints = (v: unknown): Fingerprint[] | undefined => {
  const kinds = strings(v)?.filter((k): k is Fingerprint => k === 'JA3' || k === 'JA4');
  return kinds?.length ? [...new Set(kinds)] : undefined;
};

type SanKind = NonNullable<ClientValidation['subjectAltNames']>[number]['kind'];
/** `subjectAltNames` fields and Envoy's SAN types. */
const SAN_KINDS: [string, SanKind][] = [
  ['dnsNames', 'DNS'],
  ['emailAddresses', 'EMAIL'],
  ['ipAddresses', 'IP_ADDRESS'],
  ['uris', 'URI'],
  ['otherNames', 'OTHER_NAME'],
];

function clientTraffic(ctx: TranslatorContext, policy: PolicyRef, spec: Obj): ClientTraffic {
  const ip = obj(spec.clientIPDetection);
  const xff = obj(ip?.xForwardedFor);
  const custom = obj(ip?.customHeader);
  const http = obj(obj(spec.timeout)?.http);
  const tcp = obj(obj(spec.timeout)?.tcp);
  const limit = obj(obj(spec.connection)?.connectionLimit);
  const keepalive = obj(spec.tcpKeepalive);
  const proxyProtocol = obj(spec.proxyProtocol);
  const path = obj(spec.path);
  const http1 = obj(spec.http1);
  const headers = obj(spec.headers);
  const xfcc = obj(headers?.xForwardedClientCert);
  const tls = obj(spec.tls);
  const keepalive2 = obj(obj(spec.http2)?.connectionKeepalive);
  const headerLimit = quantity(headers?.maxRequestHeaderLimit);
  const out = defined<ClientTraffic>({
    clientIPDetection: defined({
      xffNumTrustedHops: int(xff?.numTrustedHops),
      xffTrustedCidrs: cidrs(xff?.trustedCIDRs),
      skipXffAppend: bool(xff?.disableXForwardedForAppend),
      customHeader:
        custom && str(custom.name)
          ? { name: String(custom.name), failClosed: custom.failClosed === true }
          : undefined,
      directSource: obj(ip?.directSourceIP) ? true : undefined,
    }),
    timeouts: defined({
      requestReceivedMs: parseGoDuration(http?.requestReceivedTimeout),
      requestHeadersReceivedMs: parseGoDuration(http?.requestHeadersReceivedTimeout),
      idleMs: parseGoDuration(http?.idleTimeout),
      streamIdleMs: parseGoDuration(http?.streamIdleTimeout),
      tlsHandshakeMs: parseGoDuration(tcp?.tlsHandshakeTimeout),
      connectionInspectionMs: parseGoDuration(tcp?.connectionInspectionTimeout),
      tcpIdleMs: parseGoDuration(tcp?.idleTimeout),
    }),
    connectionLimit:
      int(limit?.value) === undefined
        ? undefined
        : defined({
            maxConnections: int(limit?.value),
            closeDelayMs: parseGoDuration(limit?.closeDelay),
          }),
    socketBufferLimitBytes: quantity(obj(spec.connection)?.socketBufferLimit),
    connectionLifetime: defined({
      maxConnectionDurationMs: parseGoDuration(limit?.maxConnectionDuration),
      maxRequestsPerConnection: int(limit?.maxRequestsPerConnection),
      maxStreamDurationMs: parseGoDuration(limit?.maxStreamDuration),
    }),
    tcpKeepalive: keepalive
      ? {
          ...defined({
            probes: int(keepalive.probes),
            idleTimeS: seconds(keepalive.idleTime),
            intervalS: seconds(keepalive.interval),
          }),
        }
      : undefined,
    proxyProtocol: proxyProtocol
      ? { optional: proxyProtocol.optional === true }
      : spec.enableProxyProtocol === true
        ? { optional: false }
        : undefined,
    path: defined({
      escapedSlashesAction: str(path?.escapedSlashesAction) as
        | NonNullable<ClientTraffic['path']>['escapedSlashesAction']
        | undefined,
      disableMergeSlashes: bool(path?.disableMergeSlashes),
    }),
    http1: defined({
      http10: obj(http1?.http10) ? {} : undefined,
      enableTrailers: bool(http1?.enableTrailers),
      preserveHeaderCase: bool(http1?.preserveHeaderCase),
      disableSafeMaxConnectionDuration: bool(http1?.disableSafeMaxConnectionDuration),
      ignoredUpgradeTypes: nameMatches(http1?.ignoredUpgradeTypes),
    }),
    http2Keepalive: defined({
      intervalMs: parseGoDuration(keepalive2?.interval),
      timeoutMs: parseGoDuration(keepalive2?.timeout),
      intervalJitterPercent: int(keepalive2?.intervalJitter),
      idleIntervalMs: parseGoDuration(keepalive2?.idleInterval),
    }),
    http2OnInvalidMessage: str(obj(spec.http2)?.onInvalidMessage) as
      | ClientTraffic['http2OnInvalidMessage']
      | undefined,
    grpcWeb: obj(spec.grpc)?.enableWeb === true ? true : undefined,
    schemeMatchesBackend: spec.scheme === 'MatchBackend' ? true : undefined,
    healthCheckPath: str(obj(spec.healthCheck)?.path),
    http3: obj(spec.http3) ? {} : undefined,
    headers: defined({
      preserveExternalRequestId: bool(headers?.preserveXRequestID),
      requestId: str(headers?.requestID) as
        | NonNullable<ClientTraffic['headers']>['requestId']
        | undefined,
      earlyRequest: headerMutation(obj(headers?.earlyRequestHeaders)),
      lateResponse: headerMutation(obj(headers?.lateResponseHeaders)),
      xfcc: xfcc
        ? {
            mode: (str(xfcc.mode) ?? 'Sanitize') as NonNullable<
              NonNullable<ClientTraffic['headers']>['xfcc']
            >['mode'],
            certDetails: (strings(xfcc.certDetailsToAdd) ?? []) as NonNullable<
              NonNullable<ClientTraffic['headers']>['xfcc']
            >['certDetails'],
          }
        : undefined,
      maxRequestHeadersKb: headerLimit === undefined ? undefined : Math.ceil(headerLimit / 1024),
      stripTrailingHostDot: bool(obj(headers?.host)?.stripTrailingHostDot),
    }),
    tls: defined({
      minVersion: tlsVersion(tls?.minVersion),
      maxVersion: tlsVersion(tls?.maxVersion),
      ciphers: strings(tls?.ciphers),
      ecdhCurves: strings(tls?.ecdhCurves),
      signatureAlgorithms: strings(tls?.signatureAlgorithms),
      clientValidation: clientValidation(ctx, policy, obj(tls?.clientValidation)),
      fingerprints: fingerprints(tls?.fingerprints),
    }),
  });
  return out ?? {};
}

/** The listener settings of one ClientTrafficPolicy (validated). */
export function listenerTraffic(
  ctx: TranslatorContext,
  policy: PolicyRef,
  spec: Obj,
): ListenerTraffic {
  const connection = obj(spec.connection);
  const headers = obj(spec.headers);
  const http2 = obj(spec.http2);
  const resumption = obj(obj(obj(spec.tls)?.session)?.resumption);
  const traffic = clientTraffic(ctx, policy, spec);
  const out = defined<ListenerTraffic>({
    connection: defined<ConnectionSettings>({
      bufferLimitBytes: quantity(connection?.bufferLimit),
      maxAcceptPerSocketEvent: int(connection?.maxAcceptPerSocketEvent),
    }),
    headers: defined<HeaderSettings>({
      withUnderscoresAction: str(headers?.withUnderscoresAction) as
        | HeaderSettings['withUnderscoresAction']
        | undefined,
      enableEnvoyHeaders: bool(headers?.enableEnvoyHeaders),
      disableRateLimitHeaders: bool(headers?.disableRateLimitHeaders),
    }),
    http2: defined<HTTP2Settings>({
      initialStreamWindowSize: quantity(http2?.initialStreamWindowSize),
      initialConnectionWindowSize: quantity(http2?.initialConnectionWindowSize),
      maxConcurrentStreams: int(http2?.maxConcurrentStreams),
    }),
    clientTraffic: Object.keys(traffic).length === 0 ? undefined : traffic,
    alpnProtocols: strings(obj(spec.tls)?.alpnProtocols),
    sessionResumption: resumption
      ? {
          stateless: obj(resumption.stateless) !== undefined,
          stateful: obj(resumption.stateful) !== undefined,
        }
      : undefined,
    useDefaultHost: obj(obj(spec.http1)?.http10)?.useDefaultHost === true ? true : undefined,
  });
  return out ?? {};
}
