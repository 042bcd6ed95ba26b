// A SecurityPolicy authorization rule's `principal.clientIPGeoLocations` in the IR: each location
// keeps the fields it sets; the rule matches when any location matches (xds-translator geoip.ts
// looks the client address up, rbac.ts compares).
import type { AuthorizationRule } from '@egts/ir';
import { list, type Obj, obj } from './validation/policyValues.js';

type GeoLocation = NonNullable<AuthorizationRule['geoLocations']>[number];

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
const flag = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
/** The set fields of `fields`, so that an absent one stays absent (exactOptionalPropertyTypes). */
const defined = <T extends Record<string, unknown>>(fields: T): Partial<T> =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;

function location(geo: Obj): GeoLocation {
  const anonymous = obj(geo.anonymous);
  return {
    ...defined({
      country: text(geo.country),
      region: text(geo.region),
      city: text(geo.city),
      asn: typeof geo.asn === 'number' ? geo.asn : undefined,
      isp: text(geo.isp),
    }),
    ...(anonymous
      ? {
          anonymous: defined({
            isAnonymous: flag(anonymous.isAnonymous),
            isVPN: flag(anonymous.isVPN),
            isHosting: flag(anonymous.isHosting),
            isTor: flag(anonymous.isTor),
            isProxy: flag(anonymous.isProxy),
          }),
        }
      : {}),
  };
}

export function ruleGeoLocations(principal: Obj): Pick<AuthorizationRule, 'geoLocations'> {
  const locations = list(principal.clientIPGeoLocations).map(location);
  return locations.length > 0 ? { geoLocations: locations } : {};
}
