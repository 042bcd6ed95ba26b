// SecurityPolicy authorization by client IP geolocation looks the client address up, so, as
// Envoy Gateway checks (validateAuthorizationGeoIP): every listener the policy covers needs a
// ClientTrafficPolicy whose clientIPDetection names that address by exactly one of a custom
// header, the direct source IP or X-Forwarded-For trusted hops (trusted CIDRs are not supported
// there), and its fleet's EnvoyProxy a geoIP provider with a database for each field the rules
// match on.
import type { ListenerContext } from '../../context/listenerContext.js';
import type { TranslatorContext } from '../../context/translatorContext.js';
import { GATEWAY_GROUP } from '../../types.js';
import { geoIPProviderOf } from '../envoyProxySettings.js';
import { type PolicyScope, scopeListeners } from '../policyScope.js';
import { policyTargets } from '../policyTargets.js';
import { list, type Obj, obj } from './policyValues.js';

const geoLocations = (spec: Obj): Obj[] =>
  list(obj(spec.authorization)?.rules).flatMap((r) => list(obj(r.principal)?.clientIPGeoLocations));

export function usesGeoIP(spec: Obj): boolean {
  return geoLocations(spec).length > 0;
}

/** The clientIPDetection of the most specific ClientTrafficPolicy on a listener. */
function clientIPDetection(ctx: TranslatorContext, listener: ListenerContext): Obj | undefined {
  let best: { rank: number; detection: Obj | undefined } | undefined;
  for (const ctp of ctx.resources.clientTrafficPolicies) {
    const namespace = ctp.metadata.namespace ?? 'default';
    const spec = ctp.spec as unknown as Obj;
    for (const t of policyTargets(ctx, ctp.spec, namespace, 'ClientTrafficPolicy')) {
      if (t.group !== GATEWAY_GROUP || (t.namespace ?? namespace) !== listener.gateway.namespace)
        continue;
      const owner = listener.listenerSet;
      // A section beats a ListenerSet, which beats a whole Gateway (Envoy Gateway precedence).
      let rank = -1;
      if (t.kind === 'Gateway' && t.name === listener.gateway.name)
        rank = t.sectionName === undefined ? 0 : t.sectionName === listener.name && !owner ? 2 : -1;
      else if (t.kind === 'ListenerSet' && owner && t.name === owner.name)
        rank = t.sectionName === undefined ? 1 : t.sectionName === listener.name ? 2 : -1;
      if (rank >= 0 && (!best || rank > best.rank))
        best = { rank, detection: obj(spec.clientIPDetection) };
    }
  }
  return best?.detection;
}

function detectionProblem(detection: Obj | undefined, listener: string): string | undefined {
  const xff = obj(detection?.xForwardedFor);
  const modes = [obj(detection?.customHeader), obj(detection?.directSourceIP), xff].filter(
    (m) => m !== undefined,
  ).length;
  if (modes !== 1)
    return `authorization by clientIPGeoLocations needs a ClientTrafficPolicy clientIPDetection with exactly one of customHeader, directSourceIP or xForwardedFor on listener ${listener}`;
  if (list(xff?.trustedCIDRs).length > 0 || (xff && typeof xff.numTrustedHops !== 'number'))
    return `authorization by clientIPGeoLocations needs clientIPDetection.xForwardedFor.numTrustedHops (trustedCIDRs are not supported) on listener ${listener}`;
  return undefined;
}

/** The EnvoyProxy database each kind of field needs (Envoy's MaxMind provider). */
function databaseProblem(spec: Obj, listener: ListenerContext): string | undefined {
  const maxMind = geoIPProviderOf(listener.gateway.envoyProxy)?.maxMind;
  const gateway = `${listener.gateway.namespace}/${listener.gateway.name}`;
  if (!maxMind)
    return `authorization by clientIPGeoLocations needs EnvoyProxy spec.geoIP.provider on the fleet of Gateway ${gateway}`;
  const locations = geoLocations(spec);
  const uses = (field: string) => locations.some((l) => l[field] !== undefined);
  const needs: Array<[boolean, string, boolean]> = [
    [uses('country'), 'country', !!(maxMind.countryDbPath ?? maxMind.cityDbPath)],
    [uses('region'), 'region', !!maxMind.cityDbPath],
    [uses('city'), 'city', !!maxMind.cityDbPath],
    [uses('asn'), 'asn', !!maxMind.asnDbPath],
    [uses('isp'), 'isp', !!maxMind.ispDbPath],
    [uses('anonymous'), 'anonymous', !!maxMind.anonymousIpDbPath],
  ];
  const source: Record<string, string> = {
    country: 'countryDbSource or cityDbSource',
    region: 'cityDbSource',
    city: 'cityDbSource',
    asn: 'asnDbSource',
    isp: 'ispDbSource',
    anonymous: 'anonymousIpDbSource',
  };
  const missing = needs.find(([used, , present]) => used && !present);
  return missing
    ? `authorization clientIPGeoLocations.${missing[1]} needs EnvoyProxy spec.geoIP.provider.maxMind.${source[missing[1]]} on the fleet of Gateway ${gateway}`
    : undefined;
}

export function geoIPProblem(
  ctx: TranslatorContext,
  scope: PolicyScope,
  spec: Obj,
): string | undefined {
  for (const listener of scopeListeners(scope)) {
    const problem =
      detectionProblem(clientIPDetection(ctx, listener), listener.name) ??
      databaseProblem(spec, listener);
    if (problem) return problem;
  }
  return undefined;
}
