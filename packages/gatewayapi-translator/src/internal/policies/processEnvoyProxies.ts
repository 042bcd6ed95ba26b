// Status of EnvoyProxy resources: each GatewayClass or Gateway that uses one (parametersRef) is an
// ancestor, accepted unless the EnvoyProxy's settings are invalid (InvalidParameters) or set a
// field egts does not apply (NotApplied, registry/).
import type { EnvoyProxy } from '@egts/api';
import type { TranslatorContext } from '../context/translatorContext.js';
import { Conditions } from '../status/conditions.js';
import { GATEWAY_GROUP } from '../types.js';
import type { AncestorRef, PolicyAncestor } from './processPolicies.js';
import {
  NOT_APPLIED_REASON,
  notAppliedFields,
  notAppliedMessage,
} from './registry/fieldRegistry.js';
import { envoyProxySpecProblem } from './validation/validateEnvoyProxy.js';

export interface EnvoyProxyStatus {
  resource: EnvoyProxy;
  ancestors: PolicyAncestor[];
}

export function processEnvoyProxies(ctx: TranslatorContext): EnvoyProxyStatus[] {
  const out: EnvoyProxyStatus[] = [];
  for (const resource of ctx.resources.envoyProxies) {
    const ancestors: PolicyAncestor[] = [];
    const problem = envoyProxySpecProblem(resource);
    const notApplied = notAppliedFields('EnvoyProxy', resource.spec);
    const accept = (ancestorRef: AncestorRef | Omit<AncestorRef, 'namespace'>) => {
      const conditions = new Conditions(resource.metadata.generation ?? undefined);
      if (problem) conditions.set('Accepted', 'False', 'InvalidParameters', problem);
      else if (notApplied.length > 0)
        conditions.set(
          'Accepted',
          'False',
          NOT_APPLIED_REASON,
          notAppliedMessage(notApplied, 'the proxies run without these settings.'),
        );
      else conditions.set('Accepted', 'True', 'Accepted', 'EnvoyProxy has been accepted.');
      // Envoy Gateway warns of the deprecated Lua setting (replaced by spec.lua.validationType).
      if (resource.spec.luaValidation !== undefined && resource.spec.luaValidation !== null)
        conditions.set(
          'Warning',
          'True',
          'DeprecatedField',
          'spec.luaValidation is deprecated, use spec.lua.validationType.',
        );
      ancestors.push({ ancestorRef: ancestorRef as AncestorRef, conditions });
    };
    for (const gc of ctx.gatewayClasses.values()) {
      if (gc.envoyProxy === resource)
        accept({ group: GATEWAY_GROUP, kind: 'GatewayClass', name: gc.resource.metadata.name });
    }
    for (const gw of ctx.gateways) {
      if (gw.ownEnvoyProxy === resource) {
        accept({ group: GATEWAY_GROUP, kind: 'Gateway', namespace: gw.namespace, name: gw.name });
      }
    }
    if (ancestors.length > 0) out.push({ resource, ancestors });
  }
  return out;
}
