// The tests the registry names as proof that a field is applied, as `file: test name` (the
// registry test checks that each file exists and holds the name, or that the name is a golden case).

/** Targeting (targetRef(s), targetSelectors): the statuses of the conformance corpus. */
export const TARGETING_PROOF =
  'packages/gatewayapi-translator/src/__tests__/conformance.heavy.test.ts: passes at least';
/** Fields that reach the IR, shown by a golden case of the translator. */
export const goldenProof = (name: string): string =>
  `packages/gatewayapi-translator/src/__tests__/golden.test.ts: ${name}`;
/** EnvoyProxy settings the Kubernetes infra-manager turns into objects. */
export const KUBERNETES_INFRA_PROOF =
  'packages/infra-manager/src/__tests__/kubernetesInfraManager.integration.test.ts: creates, updates and deletes the objects of each fleet with its Gateway';
/** EnvoyProxy settings the host infra-manager starts Envoy with. */
export const HOST_INFRA_PROOF =
  'packages/infra-manager/src/__tests__/hostInfraManager.integration.test.ts: restarts a proxy whose bootstrap settings change';
