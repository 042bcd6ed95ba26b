// What a policy does, apart from where: its spec without the fields that target it. Two
// policies' settings merge (mergeType) and compare by these fields alone.
import type { AnyPolicy } from './processPolicies.js';
import type { Obj } from './validation/policyValues.js';

const TARGETING = new Set(['targetRef', 'targetRefs', 'targetSelectors', 'mergeType']);

export const policySettings = ({ policy }: { policy: AnyPolicy }): Obj =>
  Object.fromEntries(Object.entries(policy.spec as Obj).filter(([k]) => !TARGETING.has(k)));
