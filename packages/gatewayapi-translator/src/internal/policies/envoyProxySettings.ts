// EnvoyProxy settings that shape a fleet's xDS (besides access logs, envoyProxyAccessLog.ts):
// `ipFamily` (listeners bind `::` for IPv6 and DualStack, as Envoy Gateway binds them) and
// `filterOrder` (carried on each HTTP listener, applied to its connection manager's filters) and
// `geoIP` (the MaxMind databases, carried on each HTTP listener for its geoip filter) and
// `telemetry.requestID.tracing` (the UUID request ID's trace settings, for every connection manager).
// `preserveRouteOrder` is read where routes are ranked (buildXds.ts), `routingType` where a
// route's destination is shaped (backendTrafficPolicyRoutes.ts).
import type { EnvoyProxy } from '@egts/api';
import type { FilterOrder, GeoIPProvider, IpFamily, XdsIR } from '@egts/ir';
import { list, obj } from './validation/policyValues.js';

const specOf = (proxy: EnvoyProxy | undefined) =>
  obj((proxy as { spec?: unknown } | undefined)?.spec);

/** Whether the EnvoyProxy keeps HTTPRoute rules in the order written (`preserveRouteOrder`). */
export const preservesRouteOrder = (proxy: EnvoyProxy | undefined): boolean =>
  specOf(proxy)?.preserveRouteOrder === true;

/** The EnvoyProxy's `routingType` (Service: backends at their cluster IP), read per destination. */
export const envoyProxyRoutingType = (proxy: EnvoyProxy | undefined): string | undefined => {
  const routing = specOf(proxy)?.routingType;
  return typeof routing === 'string' ? routing : undefined;
};

function filterOrder(spec: Record<string, unknown> | undefined): FilterOrder | undefined {
  const entries = list(spec?.filterOrder).flatMap((entry) =>
    typeof entry.name === 'string'
      ? [
          {
            name: entry.name,
            ...(typeof entry.before === 'string' ? { before: entry.before } : {}),
            ...(typeof entry.after === 'string' ? { after: entry.after } : {}),
          },
        ]
      : [],
  );
  return entries.length > 0 ? entries : undefined;
}

/** `geoIP.provider` of type MaxMind: the local database paths (Envoy Gateway buildGeoIPProvider). */
export function geoIPProviderOf(proxy: EnvoyProxy | undefined): GeoIPProvider | undefined {
  const provider = obj(obj(specOf(proxy)?.geoIP)?.provider);
  const maxMind = obj(provider?.maxMind);
  if (provider?.type !== 'MaxMind' || !maxMind) return undefined;
  const path = (source: string) => {
    const value = obj(obj(maxMind[source])?.local)?.path;
    return typeof value === 'string' ? value : undefined;
  };
  const paths = {
    countryDbPath: path('countryDbSource'),
    cityDbPath: path('cityDbSource'),
    asnDbPath: path('asnDbSource'),
    ispDbPath: path('ispDbSource'),
    anonymousIpDbPath: path('anonymousIpDbSource'),
  };
  return {
    maxMind: Object.fromEntries(Object.entries(paths).filter(([, p]) => p !== undefined)),
  };
}

const IP_FAMILIES = new Set<unknown>(['IPv4', 'IPv6', 'DualStack']);

/**
 * `telemetry.requestID.tracing` as Envoy's UuidRequestIdConfig flags: PackAndSample (the default,
 * left out) packs the trace decision into the ID and samples by it, Sample and Pack do one of the
 * two, Disable neither.
 */
const REQUEST_ID_TRACING: Record<string, XdsIR['requestIdTracing']> = {
  Sample: { pack: false, sample: true },
  Pack: { pack: true, sample: false },
  Disable: { pack: false, sample: false },
};

export function withEnvoyProxySettings(ir: XdsIR, proxy: EnvoyProxy | undefined): XdsIR {
  const spec = specOf(proxy);
  const ipFamily = IP_FAMILIES.has(spec?.ipFamily) ? (spec?.ipFamily as IpFamily) : undefined;
  const order = filterOrder(spec);
  const geoIP = geoIPProviderOf(proxy);
  const tracing = obj(obj(spec?.telemetry)?.requestID)?.tracing;
  const requestIdTracing = typeof tracing === 'string' ? REQUEST_ID_TRACING[tracing] : undefined;
  if (
    ipFamily === undefined &&
    order === undefined &&
    geoIP === undefined &&
    requestIdTracing === undefined
  )
    return ir;
  const address = ipFamily === 'IPv6' || ipFamily === 'DualStack' ? '::' : undefined;
  const bound = <L extends { address: string }>(listener: L): L =>
    address === undefined ? listener : { ...listener, address };
  return {
    ...ir,
    ...(ipFamily ? { ipFamily } : {}),
    ...(requestIdTracing ? { requestIdTracing } : {}),
    http: ir.http.map((l) => ({
      ...bound(l),
      ...(order ? { filterOrder: order } : {}),
      ...(geoIP ? { geoIP } : {}),
    })),
    tcp: ir.tcp.map(bound),
    udp: ir.udp.map(bound),
  };
}
