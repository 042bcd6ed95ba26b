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
  // One pass over the outcomes, no lists: this runs for every route.
  let firstInvalid: RuleOutcome['invalid'];
  let invalidCount = 0;
  let refError: RuleOutcome['refErrors'][number] | undefined;
  let noEndpoints = false;
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i]!;
    if (o.invalid) {
      firstInvalid ??= o.invalid;
      invalidCount += 1;
    } else if (o.noEndpoints) noEndpoints = true;
    refError ??= o.refErrors[0];
  }
  const allInvalid = outcomes.length > 0 && invalidCount === outcomes.length;
  for (let p = 0; p < route.parents.length; p++) {
    const parent = route.parents[p]!;
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
