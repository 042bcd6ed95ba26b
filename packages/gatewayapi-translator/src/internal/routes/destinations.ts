// Builds a rule's weighted destination from its backendRefs. Unresolvable backends keep their
// weight with no endpoints, so their share of traffic fails (500/503) as Gateway API requires,
// while valid backends keep serving.
import type { DestinationSetting, RouteDestination } from '@egts/ir';
import type { AnyRouteContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import type { BackendRefLike } from '../types.js';
import { resolveBackendRef } from './backendRefs.js';
import type { RuleOutcome } from './ruleOutcome.js';

export function buildDestination(
  ctx: TranslatorContext,
  route: AnyRouteContext,
  refs: readonly BackendRefLike[],
  name: string,
  protocol: DestinationSetting['protocol'],
  outcome: RuleOutcome,
  /** Extra per-backend validation (backendRef filters), run before resolution. */
  precheck?: (ref: BackendRefLike, index: number) => RuleOutcome['refErrors'][number] | undefined,
): { destination: RouteDestination; resolved: number } {
  const settings: DestinationSetting[] = [];
  let resolvedCount = 0;
  refs.forEach((ref, i) => {
    const settingName = `${name}/backend/${i}`;
    const early = precheck?.(ref, i);
    const resolved = early
      ? { error: early }
      : resolveBackendRef(ctx, route, ref, settingName, protocol);
    if (resolved.error) outcome.refErrors.push(resolved.error);
    if ('noEndpoints' in resolved && resolved.noEndpoints) outcome.noEndpoints = true;
    if ('setting' in resolved && resolved.setting && !resolved.error) {
      settings.push(resolved.setting);
      resolvedCount += 1;
    } else
      settings.push({
        name: settingName,
        weight: ref.weight ?? 1,
        protocol,
        addressType: 'IP',
        endpoints: [],
      });
  });
  return { destination: { name, settings }, resolved: resolvedCount };
}
