// A BackendTrafficPolicy's settings that HTTP filters apply to the routes it reaches: fault
// injection, response compression, bandwidth limits, request buffering and response overrides
// (their IR; the
// xds-translator turns each into its Envoy filter). The policy was validated first
// (validateBackendTrafficPolicy), so quantities and durations parse.
import type {
  AdmissionControl,
  BandwidthLimit,
  Compression,
  FaultInjection,
  RequestBuffer,
  ResponseOverride,
} from '@egts/ir';
import { list, type Obj, obj, parseGoDuration, parseQuantity } from './validation/policyValues.js';

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export function faultInjection(fault: Obj | undefined): FaultInjection | undefined {
  if (!fault) return undefined;
  const delay = obj(fault.delay);
  const abort = obj(fault.abort);
  const delayMs = parseGoDuration(delay?.fixedDelay);
  const out: FaultInjection = {};
  if (delay && delayMs !== undefined)
    out.delay = {
      fixedDelayMs: delayMs,
      ...(num(delay.percentage) === undefined ? {} : { percentage: num(delay.percentage) }),
    };
  if (abort)
    out.abort = {
      ...(num(abort.httpStatus) === undefined ? {} : { httpStatus: num(abort.httpStatus) }),
      ...(num(abort.grpcStatus) === undefined ? {} : { grpcStatus: num(abort.grpcStatus) }),
      ...(num(abort.percentage) === undefined ? {} : { percentage: num(abort.percentage) }),
    };
  return out.delay || out.abort ? out : undefined;
}

const COMPRESSION_TYPES = new Set(['Gzip', 'Brotli', 'Zstd']);

/** `compressor` (its newer name) wins over the deprecated `compression`; one entry per type. */
export function compression(spec: Obj): Compression[] | undefined {
  const entries = list(spec.compressor ?? spec.compression);
  const out: Compression[] = [];
  for (const entry of entries) {
    const type = entry.type;
    if (typeof type !== 'string' || !COMPRESSION_TYPES.has(type)) continue;
    if (out.some((c) => c.type === type)) continue;
    const min = parseQuantity(entry.minContentLength);
    out.push({
      type: type as Compression['type'],
      ...(min === undefined ? {} : { minContentLengthBytes: min }),
    });
  }
  return out.length > 0 ? out : undefined;
}

const UNIT_SECONDS: Record<string, number> = { Second: 1, Minute: 60, Hour: 3_600 };

/**
 * Envoy limits bandwidth in KiB per second: a limit per minute or hour is spread over its
 * seconds, and never below 1 KiB/s (validation refuses limits under 1 KiB per unit).
 */
const kibPerSecond = (limit: Obj | undefined): number | undefined => {
  const bytes = parseQuantity(limit?.value);
  if (bytes === undefined) return undefined;
  const seconds = UNIT_SECONDS[String(limit?.unit)] ?? 1;
  return Math.max(1, Math.round(bytes / 1024 / seconds));
};

export function bandwidthLimit(value: Obj | undefined): BandwidthLimit | undefined {
  if (!value) return undefined;
  const request = kibPerSecond(obj(obj(value.request)?.limit));
  const responseObj = obj(value.response);
  const response = kibPerSecond(obj(responseObj?.limit));
  const trailers = obj(responseObj?.responseTrailers);
  const out: BandwidthLimit = {};
  if (request !== undefined) out.request = { kibPerSecond: request };
  if (response !== undefined)
    out.response = {
      kibPerSecond: response,
      ...(trailers ? { trailerPrefix: String(trailers.prefix ?? '') } : {}),
    };
  return out.request || out.response ? out : undefined;
}

/** Envoy Gateway's default request buffer limit when `limit` is absent: 32 KiB. */
const DEFAULT_BUFFER_BYTES = 32 * 1024;

export function requestBuffer(value: Obj | undefined): RequestBuffer | undefined {
  if (!value) return undefined;
  return { limitBytes: parseQuantity(value.limit) ?? DEFAULT_BUFFER_BYTES };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const headerList = (value: unknown) =>
  list(value).map((h) => ({ name: str(h.name) ?? '', value: str(h.value) ?? '' }));

/** A response override's redirect; the path only as ReplaceFullPath (validation refuses others). */
const redirectOf = (redirect: Obj): NonNullable<ResponseOverride['redirect']> => {
  const path = obj(redirect.path);
  return {
    ...(str(redirect.scheme) === undefined ? {} : { scheme: str(redirect.scheme) }),
    ...(str(redirect.hostname) === undefined ? {} : { hostname: str(redirect.hostname) }),
    ...(num(redirect.port) === undefined ? {} : { port: num(redirect.port) }),
    ...(str(path?.replaceFullPath) === undefined ? {} : { path: str(path?.replaceFullPath) }),
    // The CRD's default.
    statusCode: num(redirect.statusCode) ?? 302,
  };
};

/** Response overrides with local responses; bodies were inlined (inlineResponseBodies). */
export function responseOverride(value: unknown): ResponseOverride[] | undefined {
  const out = list(value).map((rule): ResponseOverride => {
    const match = obj(rule.match);
    const response = obj(rule.response);
    const body = obj(response?.body);
    const header = obj(response?.header);
    const redirect = obj(rule.redirect);
    const source = str(rule.source);
    return {
      ...(source === 'Local' || source === 'Backend' ? { source } : {}),
      ...(redirect ? { redirect: redirectOf(redirect) } : {}),
      statusCodes: list(match?.statusCodes).map((code) => {
        const range = obj(code.range);
        return code.type === 'Range' && range
          ? { range: { start: num(range.start) ?? 0, end: num(range.end) ?? 0 } }
          : { value: num(code.value) ?? 0 };
      }),
      responseHeaders: list(match?.responseHeaders).map((h) => ({
        name: str(h.name) ?? '',
        type: (str(obj(h.value)?.type) ??
          'Exact') as ResponseOverride['responseHeaders'][number]['type'],
        value: str(obj(h.value)?.value) ?? '',
      })),
      response: {
        ...(num(response?.statusCode) === undefined
          ? {}
          : { statusCode: num(response?.statusCode) }),
        ...(str(response?.contentType) === undefined
          ? {}
          : { contentType: str(response?.contentType) }),
        ...(str(body?.inline) === undefined ? {} : { body: str(body?.inline) }),
        addHeaders: headerList(header?.add),
        setHeaders: headerList(header?.set),
      },
    };
  });
  return out.length > 0 ? out : undefined;
}

interface ConfigMapData {
  data?: Record<string, string> | null;
  binaryData?: Record<string, string> | null;
}

/** A ConfigMap's response body: `response.body`, else its first key (binaryData decoded). */
const configMapBody = (configMap: ConfigMapData | undefined): string | undefined => {
  const data = configMap?.data ?? {};
  const binary = configMap?.binaryData ?? {};
  if (data['response.body'] !== undefined) return data['response.body'];
  const [first] = Object.keys(data).sort();
  if (first !== undefined) return data[first];
  const [firstBinary] = Object.keys(binary).sort();
  return firstBinary === undefined
    ? undefined
    : Buffer.from(binary[firstBinary] ?? '', 'base64').toString();
};

/**
 * The policy settings with each response override's ConfigMap body (valueRef, in the policy's
 * namespace) inlined, so the IR needs no lookups; settings without one are returned as they are.
 */
export function inlineResponseBodies(
  settings: Obj,
  configMap: (name: string) => ConfigMapData | undefined,
): Obj {
  const overrides = list(settings.responseOverride);
  if (!overrides.some((o) => obj(obj(o.response)?.body)?.type === 'ValueRef')) return settings;
  return {
    ...settings,
    responseOverride: overrides.map((o) => {
      const response = obj(o.response);
      const body = obj(response?.body);
      if (body?.type !== 'ValueRef') return o;
      const inline = configMapBody(configMap(String(obj(body.valueRef)?.name ?? '')));
      return { ...o, response: { ...response, body: { type: 'Inline', inline } } };
    }),
  };
}

/** gRPC status codes by name (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
const GRPC_CODES = [
  'Ok',
  'Cancelled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

export function admissionControl(value: Obj | undefined): AdmissionControl | undefined {
  if (!value) return undefined;
  const criteria = obj(value.successCriteria);
  const http = obj(criteria?.http)?.statusCodes;
  const grpc = obj(criteria?.grpc)?.statusCodes;
  const window = parseGoDuration(value.samplingWindow);
  const out: AdmissionControl = {
    ...(window === undefined ? {} : { samplingWindowMs: window }),
    ...(num(value.minSuccessRate) === undefined
      ? {}
      : { minSuccessPercent: num(value.minSuccessRate) }),
    ...(num(value.rejectionAggression) === undefined
      ? {}
      : { aggression: num(value.rejectionAggression) }),
    ...(num(value.minRequestRate) === undefined
      ? {}
      : { minRequestRate: num(value.minRequestRate) }),
    ...(num(value.maxRejectionPercent) === undefined
      ? {}
      : { maxRejectionPercent: num(value.maxRejectionPercent) }),
    ...(Array.isArray(http)
      ? { httpSuccessStatuses: http.filter((c): c is number => typeof c === 'number') }
      : {}),
    ...(Array.isArray(grpc)
      ? {
          grpcSuccessStatuses: grpc
            .map((name) => GRPC_CODES.indexOf(String(name)))
            .filter((code) => code >= 0),
        }
      : {}),
  };
  return out;
}
