// The one place route errors become route parent conditions (GEP-1364 "Status and Conditions"):
// - Accepted=False when attachment failed (set earlier) or every rule is invalid; when only some
//   rules are invalid the route stays Accepted and gets PartiallyInvalid=True (the invalid rules
//   are dropped, the rest keep serving).
// - ResolvedRefs=False with the first unresolved reference's reason, else True.
// - BackendsAvailable=False EndpointsNotFound when a resolved backend has no endpoints.
import type { AnyRouteContext } from '../context/routeContext.js';
import type { RuleOutcome } from '../routes/ruleOutcome.js';

export function applyRouteConditions(
  route: AnyRouteContext,
  outcomes: readonly RuleOutcome[],
): void {
  const invalid = outcomes.filter((o) => o.invalid);
  const firstInvalid = invalid[0]?.invalid;
  const allInvalid = outcomes.length > 0 && invalid.length === outcomes.length;
  const refError = outcomes.flatMap((o) => o.refErrors)[0];
  const noEndpoints = outcomes.some((o) => o.noEndpoints && !o.invalid);
  for (const parent of route.parents) {
    const c = parent.conditions;
    if (parent.accepted && firstInvalid) {
      if (allInvalid) c.set('Accepted', 'False', firstInvalid.reason, firstInvalid.message);
      else
        c.set(
          'PartiallyInvalid',
          'True',
          firstInvalid.reason,
          `Dropped Rule: ${firstInvalid.message}`,
        );
    }
    if (refError) c.set('ResolvedRefs', 'False', refError.reason, refError.message);
    else
      c.set(
        'ResolvedRefs',
        'True',
        'ResolvedRefs',
        'Resolved all the Object references for the Route.',
      );
    if (parent.accepted && noEndpoints) {
      c.set(
        'BackendsAvailable',
        'False',
        'EndpointsNotFound',
        'A backend of the route has no endpoints.',
      );
    }
  }
}
