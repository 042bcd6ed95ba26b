// SecurityPolicy authorization by client IP geolocation looks the client address up, so Envoy
// Gateway needs to know which address that is: every listener the policy covers must have a
// ClientTrafficPolicy whose clientIPDetection names it by a custom header, the direct source IP,
// or a number of trusted X-Forwarded-For hops (trusted CIDRs are not supported there).
import type { ListenerContext } from '../../context/listenerContext.js';
import type { TranslatorContext } from '../../context/translatorContext.js';
import { GATEWAY_GROUP } from '../../types.js';
import { type PolicyScope, scopeListeners } from '../policyScope.js';
import { policyTargets } from '../policyTargets.js';
import { list, type Obj, obj } from './policyValues.js';

export function usesGeoIP(spec: Obj): boolean {
  return list(obj(spec.authorization)?.rules).some(
    (r) => list(obj(r.principal)?.clientIPGeoLocations).length > 0,
  );
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

export function geoIPProblem(ctx: TranslatorContext, scope: PolicyScope): string | undefined {
  for (const listener of scopeListeners(scope)) {
    const detection = clientIPDetection(ctx, listener);
    const xff = obj(detection?.xForwardedFor);
    const known =
      obj(detection?.customHeader) !== undefined ||
      obj(detection?.directSourceIP) !== undefined ||
      typeof xff?.numTrustedHops === 'number';
    if (!known)
      return `authorization by clientIPGeoLocations needs a ClientTrafficPolicy clientIPDetection (customHeader, directSourceIP or xForwardedFor.numTrustedHops) on listener ${listener.name}`;
  }
  return undefined;
}
