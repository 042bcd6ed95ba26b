// The statuses translate() gives Envoy Gateway's policies and EnvoyPatchPolicies, and nothing
// else: routes are attached but their rules not translated, and no IR is built. For a route
// change that a policy can see (routesOnly.ts): only these are computed again.
import type { Resources } from '@egts/api';
import { resolveOptions, type TranslateOptions } from '../../translate.js';
import type { InputLookups } from '../context/inputLookups.js';
import { TranslatorContext } from '../context/translatorContext.js';
import { processEnvoyPatchPolicies } from '../policies/processEnvoyPatchPolicies.js';
import { processPolicies } from '../policies/processPolicies.js';
import { processGatewayClasses } from '../processGatewayClasses.js';
import { processGateways } from '../processGateways.js';
import { processListenerSets } from '../processListenerSets.js';
import { processListeners } from '../processListeners.js';
import { processRoutes } from '../processRoutes.js';
import { indexBackendTLSPolicies } from '../routes/backendTls.js';
import { policyStatuses, type ResourceStatus } from '../status/collectStatuses.js';

export function translatePolicyStatuses(
  resources: Resources,
  options: TranslateOptions = {},
  lookups?: InputLookups,
): ResourceStatus[] {
  const ctx = new TranslatorContext(resources, resolveOptions(options), lookups);
  ctx.backendTLSPolicies = indexBackendTLSPolicies(ctx);
  processGatewayClasses(ctx);
  processGateways(ctx);
  processListenerSets(ctx);
  processListeners(ctx);
  processRoutes(ctx, { rules: false });
  return policyStatuses(ctx, processPolicies(ctx), processEnvoyPatchPolicies(ctx));
}
