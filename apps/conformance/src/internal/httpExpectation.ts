// The suite's HTTP expectation (roundtripper.ExpectedResponse) as data, and the comparison it makes:
// status code, the request the backend saw, which backend and namespace answered, redirects, and
// response headers.
import { randomUUID } from 'node:crypto';
import type { HttpResult } from './httpClient.js';

export interface GatewayRef {
  readonly namespace: string;
  readonly name: string;
}

export interface HttpExpectation {
  /** Which Gateway (and Gateway port, default 80 or 443 for https) the request goes to. */
  readonly gateway?: GatewayRef;
  readonly port?: number;
  readonly request: {
    readonly host?: string;
    readonly path: string;
    readonly method?: string;
    readonly headers?: Readonly<Record<string, string>>;
    /** A request body (sent with its content-length). */
    readonly body?: string;
    /** `h2c`: cleartext HTTP/2 with prior knowledge (the suite's H2CPriorKnowledgeProtocol). */
    readonly protocol?: 'h2c';
    readonly scheme?: 'http' | 'https';
    readonly serverName?: string;
    /** A kubernetes.io/tls Secret whose certificate and key the client presents (mTLS). */
    readonly clientCertificate?: { readonly namespace: string; readonly name: string };
  };
  /** The request as the backend must see it; default: the request's path, host and method. */
  readonly backendRequest?: {
    readonly path?: string;
    readonly host?: string;
    readonly method?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly absentHeaders?: readonly string[];
    /** The SNI of the backend's TLS connection (the suite's ExpectedRequest SNI). */
    readonly sni?: string;
    /** The TLS cipher suite the backend negotiated (IANA name), when it speaks TLS. */
    readonly cipherSuite?: string;
    /**
     * The client certificate the backend's TLS connection presented (ExpectedRequest ClientCert):
     * PEM, or the kubernetes.io/tls Secret holding it (the harness reads it, as GetTLSSecret).
     */
    readonly clientCertificate?: string | { readonly namespace: string; readonly name: string };
  };
  /** How long the answer may take; default 3 s (a throttled transfer takes longer). */
  readonly timeoutMs?: number;
  /** Expected status; default 200. Several: any of them. */
  readonly status?: number | readonly number[];
  /** Deployment name prefix of the pod that must answer; required when the status is 200. */
  readonly backend?: string;
  readonly namespace?: string;
  readonly redirect?: {
    readonly scheme?: string;
    readonly host?: string;
    readonly port?: string;
    readonly path?: string;
  };
  readonly responseHeaders?: Readonly<Record<string, string>>;
  /** Response headers that must hold one of several values (the suite's ValidHeaderValues). */
  readonly validResponseHeaders?: Readonly<Record<string, readonly string[]>>;
  /** Compare response header values without their whitespace (the suite's IgnoreWhitespace). */
  readonly ignoreWhitespace?: boolean;
  readonly absentResponseHeaders?: readonly string[];
  /** The exact response body (Envoy Gateway's custom response checks). */
  readonly responseBody?: string;
  /** Bodies the response must not have (a custom response that must not apply). */
  readonly notResponseBodies?: readonly string[];
  /**
   * A query parameter given a new random value on every attempt, appended to the path (the suite's
   * retry probes send a fresh `uuid` each, so the backend's retry simulation counts them apart).
   */
  readonly freshQuery?: string;
  /** Backends (Deployment names) that must also get a copy of the request (RequestMirror). */
  readonly mirroredTo?: readonly { readonly backend: string; readonly namespace: string }[];
}

const DEFAULT_NAMESPACE = 'gateway-conformance-infra';

/** The expectation of one attempt: `freshQuery` set to a new value in the request's path. */
export const freshAttempt = (expected: HttpExpectation): HttpExpectation => {
  if (expected.freshQuery === undefined) return expected;
  const { path } = expected.request;
  const param = `${expected.freshQuery}=${randomUUID()}`;
  return {
    ...expected,
    request: { ...expected.request, path: `${path}${path.includes('?') ? '&' : '?'}${param}` },
  };
};

const headerValues = (
  headers: Readonly<Record<string, readonly string[]>>,
  name: string,
): readonly string[] | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, values] of Object.entries(headers))
    if (key.toLowerCase() === wanted) return values;
  return undefined;
};

/** Why `result` does not meet `expected`, or undefined when it does. */
export const compareResponse = (
  expected: HttpExpectation,
  result: HttpResult,
): string | undefined => {
  const statuses = expected.status === undefined ? [200] : [expected.status].flat();
  if (!statuses.includes(result.status))
    return `status ${result.status}, want ${statuses.join(' or ')}${result.body ? ` (body ${JSON.stringify(result.body.slice(0, 120))})` : ''}`;

  if (expected.redirect) {
    const location = result.headers.location;
    if (typeof location !== 'string') return 'no Location header';
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      return `Location ${location} is not an absolute URL`;
    }
    const want = expected.redirect;
    const scheme = url.protocol.replace(':', '');
    // Unset parts default to the request's, as the suite's setRedirectRequestDefaults does.
    const wantScheme = want.scheme ?? expected.request.scheme ?? 'http';
    if (scheme !== wantScheme) return `redirect scheme ${scheme}, want ${wantScheme} (${location})`;
    if (want.host !== undefined && url.hostname !== want.host)
      return `redirect host ${url.hostname}, want ${want.host} (${location})`;
    // No expected port: none, or the scheme's well-known one (WHATWG URL drops that already).
    const defaultPort = scheme === 'https' ? '443' : '80';
    if (
      want.port !== undefined ? url.port !== want.port : url.port !== '' && url.port !== defaultPort
    )
      return `redirect port "${url.port}", want "${want.port ?? ''}" (${location})`;
    const wantPath = want.path ?? expected.request.path;
    if (url.pathname !== wantPath)
      return `redirect path ${url.pathname}, want ${wantPath} (${location})`;
  }

  const normal = (value: string) => (expected.ignoreWhitespace ? value.replace(/\s+/g, '') : value);
  const wantedHeaders = [
    ...Object.entries(expected.responseHeaders ?? {}).map(([n, v]) => [n, [v]] as const),
    ...Object.entries(expected.validResponseHeaders ?? {}),
  ];
  for (const [name, values] of wantedHeaders) {
    // Go's http.Header keeps one value per header line; the suite joins them with ",".
    const lines = result.headerLines?.[name.toLowerCase()];
    const got = result.headers[name.toLowerCase()];
    const joined = lines ? lines.join(',') : Array.isArray(got) ? got.join(',') : got;
    if (joined === undefined) return `no response header ${name}`;
    if (!values.some((v) => normal(v) === normal(joined)))
      return `response header ${name}: ${JSON.stringify(lines ?? got)}, want ${values.map((v) => JSON.stringify(v)).join(' or ')}`;
  }
  for (const name of expected.absentResponseHeaders ?? [])
    if (result.headers[name.toLowerCase()] !== undefined) return `response header ${name} present`;
  if (expected.notResponseBodies?.includes(result.body))
    return `body ${JSON.stringify(result.body.slice(0, 200))}, want another`;
  if (expected.responseBody !== undefined && result.body !== expected.responseBody)
    return `body ${JSON.stringify(result.body.slice(0, 200))}, want ${JSON.stringify(expected.responseBody)}`;

  if (result.status !== 200 || expected.backend === undefined) return undefined;
  const echo = result.echo;
  if (!echo) return 'the answer is not the echo backend JSON';
  const seen = expected.backendRequest ?? {};
  const path = seen.path ?? expected.request.path;
  if (echo.path !== path) return `backend saw path ${echo.path}, want ${path}`;
  const host = seen.host ?? expected.request.host;
  if (host !== undefined && echo.host !== host)
    return `backend saw host ${echo.host}, want ${host}`;
  const method = seen.method ?? expected.request.method ?? 'GET';
  if (echo.method !== method) return `backend saw method ${echo.method}, want ${method}`;
  for (const [name, value] of Object.entries(seen.headers ?? {})) {
    const got = headerValues(echo.headers, name);
    if (!got) return `backend did not get header ${name}`;
    if (got.join(',') !== value) return `backend got ${name}: ${got.join(',')}, want ${value}`;
  }
  for (const name of seen.absentHeaders ?? [])
    if (headerValues(echo.headers, name)) return `backend got header ${name}, want it absent`;
  if (seen.sni !== undefined && echo.tls?.serverName !== seen.sni)
    return `backend saw SNI ${JSON.stringify(echo.tls?.serverName ?? null)}, want ${seen.sni}`;
  if (seen.cipherSuite !== undefined && echo.tls?.cipherSuite !== seen.cipherSuite)
    return `backend negotiated ${JSON.stringify(echo.tls?.cipherSuite ?? null)}, want ${seen.cipherSuite}`;
  if (seen.clientCertificate !== undefined) {
    const normal = (pem: string) => pem.replace(/\s+/g, '');
    const presented = echo.tls?.peerCertificates?.[0];
    if (typeof seen.clientCertificate !== 'string')
      return 'the expected client certificate was not read from its Secret';
    if (presented === undefined) return 'backend got no client certificate';
    if (normal(presented) !== normal(seen.clientCertificate))
      return 'backend got another client certificate than expected';
  }
  if (!echo.pod.startsWith(`${expected.backend}-`))
    return `answered by pod ${echo.pod}, want backend ${expected.backend}`;
  const namespace = expected.namespace ?? DEFAULT_NAMESPACE;
  if (echo.namespace !== namespace)
    return `answered from namespace ${echo.namespace}, want ${namespace}`;
  return undefined;
};
