// @egts/gatewayapi-translator: Gateway API and Envoy Gateway resources -> IR and statuses.
// Stage contracts (ResourceStatus, DEFAULT_CONTROLLER_NAME...) live in @egts/api, their one home.
export {
  createTranslator,
  type Translator,
  type TranslatorInputs,
  type TranslatorUpdate,
  type UpdatePath,
} from './createTranslator.js';
export { withEnvoyPatchOutcomes } from './envoyPatchOutcomes.js';
export {
  FIELD_REGISTRY,
  fieldEntry,
  isRegisteredKind,
  type KindFields,
  NOT_APPLIED_REASON,
  notAppliedFields,
  type RegisteredKind,
} from './internal/policies/registry/fieldRegistry.js';
export type { ConditionStatus, StatusCondition } from './internal/status/conditions.js';
export {
  createOidcDiscoverer,
  type DiscoverOptions,
  discoverOidcProviders,
  discoveryURL,
  type OidcDiscoverer,
  type OidcDiscovererOptions,
  type OidcDiscovery,
  type OidcProviderEndpoints,
  oidcIssuers,
} from './oidcDiscovery.js';
export {
  formatStatusProblem,
  type OutputFormat,
  renderIR,
  renderStatuses,
  type StatusProblem,
  statusProblems,
} from './render.js';
export {
  DEFAULT_CONTROLLER_NAMESPACE,
  inClusterRateLimitService,
  type RateLimitServiceOptions,
  type TranslateOptions,
  type TranslateResult,
  translate,
} from './translate.js';
export { wasmFailures, withWasmFailures } from './wasmOutcomes.js';
