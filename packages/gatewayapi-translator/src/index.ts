// @egts/gatewayapi-translator: Gateway API and Envoy Gateway resources -> IR and statuses.

export {
  FIELD_REGISTRY,
  fieldEntry,
  isRegisteredKind,
  type KindFields,
  NOT_APPLIED_REASON,
  notAppliedFields,
  type RegisteredKind,
} from './internal/policies/registry/fieldRegistry.js';
export type { ResourceStatus } from './internal/status/collectStatuses.js';
export type { ConditionStatus, StatusCondition } from './internal/status/conditions.js';
export { compareListenerRoutes, type ListenerRoute } from './listenerRouteOrder.js';
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
  translatePolicyStatuses,
} from './translate.js';
