// Step 1: accept every GatewayClass whose controllerName is ours and resolve its parametersRef
// to an EnvoyProxy (missing or wrong kind -> Accepted=False InvalidParameters; an EnvoyProxy
// with invalid settings -> InvalidParameters too, but its Gateways are still translated).
import type { EnvoyProxy, GatewayClass } from '@egts/api';
import type { TranslatorContext } from './context/translatorContext.js';
import { envoyProxySpecProblem } from './policies/validation/validateEnvoyProxy.js';
import { Conditions } from './status/conditions.js';
import { ENVOY_GATEWAY_GROUP, nsName } from './types.js';

export interface GatewayClassStatus {
  resource: GatewayClass;
  conditions: Conditions;
}

export function processGatewayClasses(ctx: TranslatorContext): GatewayClassStatus[] {
  const statuses: GatewayClassStatus[] = [];
  for (const gc of ctx.resources.gatewayClasses) {
    if (gc.spec.controllerName !== ctx.options.controllerName) continue;
    const conditions = new Conditions(gc.metadata.generation ?? undefined);
    const ref = gc.spec.parametersRef;
    let envoyProxy: EnvoyProxy | undefined;
    let problem: string | undefined;
    if (ref) {
      if (ref.group !== ENVOY_GATEWAY_GROUP || ref.kind !== 'EnvoyProxy') {
        problem = `Unsupported parametersRef ${ref.group}/${ref.kind}: must be ${ENVOY_GATEWAY_GROUP}/EnvoyProxy.`;
      } else if (!ref.namespace) {
        problem = 'parametersRef.namespace is required for an EnvoyProxy.';
      } else {
        const found = ctx.envoyProxies.get(nsName(ref.namespace, ref.name));
        if (found) envoyProxy = found;
        else problem = `EnvoyProxy ${ref.namespace}/${ref.name} not found.`;
      }
    }
    const parametersProblem = envoyProxy && envoyProxySpecProblem(envoyProxy);
    if (problem ?? parametersProblem) {
      conditions.set(
        'Accepted',
        'False',
        'InvalidParameters',
        (problem ?? parametersProblem) as string,
      );
    } else {
      conditions.set('Accepted', 'True', 'Accepted', 'Valid GatewayClass');
    }
    conditions.set(
      'SupportedVersion',
      'True',
      'SupportedVersion',
      'Gateway API CRDs are supported',
    );
    ctx.gatewayClasses.set(gc.metadata.name, {
      resource: gc,
      accepted: problem === undefined,
      envoyProxy,
      parametersProblem,
    });
    statuses.push({ resource: gc, conditions });
  }
  return statuses;
}
