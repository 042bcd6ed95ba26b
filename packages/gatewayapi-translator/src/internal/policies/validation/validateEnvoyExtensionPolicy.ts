// Settings of an EnvoyExtensionPolicy that Envoy Gateway rejects while translating it (its
// envoyextensionpolicy.go): the policy then gets Accepted False, reason Invalid, on the ancestor.
import type { TranslatorContext } from '../../context/translatorContext.js';
import { registeredModule } from '../dynamicModules.js';
import type { PolicyScope } from '../policyScope.js';
import { localRefProblem } from './localRefs.js';
import { backendRefsProblem, type PolicyRef, serviceBackendRefs } from './policyBackendRefs.js';
import { list, type Obj, obj } from './policyValues.js';

/** A dynamic module must be registered, with a usable source, in the EnvoyProxy of the Gateway. */
function dynamicModuleProblem(spec: Obj, scope: PolicyScope): string | undefined {
  for (const entry of list(spec.dynamicModule)) {
    const source = registeredModule(scope.gateway.envoyProxy, String(entry.name));
    if (typeof source === 'string') return source;
  }
  return undefined;
}

export function validateEnvoyExtensionPolicy(
  spec: Obj,
  scope: PolicyScope,
  ctx: TranslatorContext,
  policy: PolicyRef,
): string | undefined {
  for (const [i, extProc] of list(spec.extProc).entries()) {
    const problem = backendRefsProblem(ctx, policy, `extProc[${i}]`, serviceBackendRefs(extProc));
    if (problem) return problem;
  }
  for (const [i, wasm] of list(spec.wasm).entries()) {
    const image = obj(obj(wasm.code)?.image);
    const problem = localRefProblem(
      ctx,
      policy,
      `wasm[${i}].code.image.pullSecretRef`,
      obj(image?.pullSecretRef),
    );
    if (problem) return problem;
  }
  // Lua scripts are read and checked where they are built (envoyExtensionPolicyIR.ts).
  return dynamicModuleProblem(spec, scope);
}
