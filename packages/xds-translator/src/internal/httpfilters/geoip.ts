// EnvoyProxy `geoIP` for SecurityPolicy authorization by client IP geolocation, as Envoy Gateway
// translates it (geoip.go): on a connection manager whose routes match clientIPGeoLocations, the
// geoip filter looks the client address up in the fleet's MaxMind databases and writes each field
// the rules need into an internal request header, which the RBAC rules then compare (rbac.ts).
// The client address is the one ClientTrafficPolicy clientIPDetection names: a custom header, the
// X-Forwarded-For hop its trusted hops point at, or else the connection's peer
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/geoip_filter).
// The filter leaves a header alone when a lookup finds nothing, so a client could send the
// internal headers itself: a header_mutation instance before it removes them first.
import { Geoip, HeaderMutationFilter, HttpFilter, MaxMindConfig, packAny } from '@egts/envoy-api';
import type { AuthorizationRule, HTTPListener, HTTPRouteIR } from '@egts/ir';
import { typedConfig } from '../protoValues.js';
import type { HttpFilterTranslator } from './httpFilter.js';
import { routesOf } from './httpFilter.js';

const NAME = 'envoy.filters.http.geoip';

type GeoLocation = NonNullable<AuthorizationRule['geoLocations']>[number];

/** The internal header each field's lookup result goes to (Envoy Gateway's names). */
export const GEO_HEADERS = {
  country: 'x-eg-internal-geoip-country',
  region: 'x-eg-internal-geoip-region',
  city: 'x-eg-internal-geoip-city',
  asn: 'x-eg-internal-geoip-asn',
  isp: 'x-eg-internal-geoip-isp',
  isAnonymous: 'x-eg-internal-geoip-anon',
  isVPN: 'x-eg-internal-geoip-anon-vpn',
  isHosting: 'x-eg-internal-geoip-anon-hosting',
  isTor: 'x-eg-internal-geoip-anon-tor',
  isProxy: 'x-eg-internal-geoip-anon-proxy',
} as const;
type GeoField = keyof typeof GEO_HEADERS;

/** The provider's field key of each field (common.v3 GeolocationFieldKeys). */
const FIELD_KEYS = {
  country: 'country',
  region: 'region',
  city: 'city',
  asn: 'asn',
  isp: 'isp',
  isAnonymous: 'anon',
  isVPN: 'anonVpn',
  isHosting: 'anonHosting',
  isTor: 'anonTor',
  isProxy: 'anonProxy',
} as const satisfies Record<GeoField, string>;

/** The fields a location sets. */
const fieldsOf = ({ anonymous, ...rest }: GeoLocation): GeoField[] =>
  [...Object.entries(rest), ...Object.entries(anonymous ?? {})]
    .filter(([field, value]) => field in GEO_HEADERS && value !== undefined)
    .map(([field]) => field as GeoField);

/** The fields the authorization rules of `routes` match on, in a stable order. */
function requiredFields(routes: readonly HTTPRouteIR[]): GeoField[] {
  const needed = new Set<GeoField>();
  for (const route of routes)
    for (const rule of route.security?.authorization?.rules ?? [])
      for (const location of rule.geoLocations ?? [])
        for (const field of fieldsOf(location)) needed.add(field);
  return (Object.keys(GEO_HEADERS) as GeoField[]).filter((f) => needed.has(f));
}

const NO_HEADERS: readonly string[] = [];

/**
 * The internal headers a route's rules have the geoip filter write: removed before the request
 * goes upstream (the route's request_headers_to_remove, as Envoy Gateway removes them).
 */
export const geoHeadersToRemove = (route: HTTPRouteIR): readonly string[] =>
  // Every route is built through here: most have no geolocation rule, so no per-route work.
  (route.security?.authorization?.rules ?? []).some((rule) => rule.geoLocations !== undefined)
    ? requiredFields([route]).map((f) => GEO_HEADERS[f])
    : NO_HEADERS;

/** Which address to look up: Envoy Gateway's choice from the client IP detection. */
function addressSource(listener: HTTPListener): Partial<Geoip> {
  const detection = listener.clientTraffic?.clientIPDetection;
  if (detection?.customHeader)
    return { customHeaderConfig: { headerName: detection.customHeader.name } };
  if (detection?.xffNumTrustedHops !== undefined && !detection.directSource)
    return { xffConfig: { xffNumTrustedHops: detection.xffNumTrustedHops } };
  return {};
}

export const geoipFilter: HttpFilterTranslator = {
  patchListener: (listeners) => {
    const fields = requiredFields(routesOf(listeners));
    const listener = listeners[0];
    // Without a provider the SecurityPolicy is refused (the gateway API translator says why).
    const maxMind = listener?.geoIP?.maxMind;
    if (fields.length === 0 || listener === undefined || maxMind === undefined) return [];
    const provider = MaxMindConfig.fromPartial({
      countryDbPath: maxMind.countryDbPath ?? '',
      cityDbPath: maxMind.cityDbPath ?? '',
      asnDbPath: maxMind.asnDbPath ?? '',
      ispDbPath: maxMind.ispDbPath ?? '',
      anonDbPath: maxMind.anonymousIpDbPath ?? '',
      commonProviderConfig: {
        geoFieldKeys: Object.fromEntries(
          fields.map((f) => [FIELD_KEYS[f], GEO_HEADERS[f]]),
        ) as Partial<Record<(typeof FIELD_KEYS)[GeoField], string>>,
      },
    });
    return [
      HttpFilter.fromPartial({
        name: `${NAME}/remove-internal-headers`,
        typedConfig: packAny(
          HeaderMutationFilter,
          HeaderMutationFilter.fromPartial({
            mutations: { requestMutations: fields.map((f) => ({ remove: GEO_HEADERS[f] })) },
          }),
        ),
      }),
      HttpFilter.fromPartial({
        name: NAME,
        typedConfig: packAny(
          Geoip,
          Geoip.fromPartial({
            ...addressSource(listener),
            provider: typedConfig('envoy.geoip_providers.maxmind', MaxMindConfig, provider),
          }),
        ),
      }),
    ];
  },
};
