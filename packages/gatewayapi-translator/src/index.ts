// @egts/gatewayapi-translator: Gateway API and Envoy Gateway resources -> IR and statuses.

// The stage contract lives in @egts/api; re-exported for callers that only use the translator.
export type { ResourceStatus } from '@egts/api';
export {
  createTranslator,
  type Translator,
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
  formatStatusProblem,
  type OutputFormat,
  renderIR,
  renderStatuses,
  type StatusProblem,
  statusProblems,
} from './render.js';
export {
  DEFAULT_CONTROLLER_NAME,
  DEFAULT_CONTROLLER_NAMESPACE,
  type TranslateOptions,
  type TranslateResult,
  translate,
} from './translate.js';
