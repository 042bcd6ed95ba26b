// Status of EnvoyPatchPolicies: a patch applies to the xDS of one Gateway, or of a GatewayClass
// whose EnvoyProxy merges its Gateways (then the class must be the target: a Gateway target is
// Invalid, reported against the class as Envoy Gateway does).
import type { EnvoyPatchPolicy } from '@egts/api';
import type { TranslatorContext } from '../context/translatorContext.js';
import { Conditions } from '../status/conditions.js';
import { GATEWAY_GROUP } from '../types.js';
import type { AncestorRef, PolicyAncestor } from './processPolicies.js';
import {
  NOT_APPLIED_REASON,
  notAppliedFields,
  notAppliedMessage,
} from './registry/fieldRegistry.js';

export interface EnvoyPatchPolicyStatus {
  resource: EnvoyPatchPolicy;
  ancestors: PolicyAncestor[];
}

function mergesGateways(ctx: TranslatorContext, className: string): boolean {
  const spec = ctx.gatewayClasses.get(className)?.envoyProxy?.spec as
    | { mergeGateways?: boolean }
    | undefined;
  return spec?.mergeGateways === true;
}

export function processEnvoyPatchPolicies(ctx: TranslatorContext): EnvoyPatchPolicyStatus[] {
  return ctx.resources.envoyPatchPolicies.map((resource) => {
    const namespace = resource.metadata.namespace ?? 'default';
    const target = resource.spec.targetRef;
    const ancestors: PolicyAncestor[] = [];
    const notApplied = notAppliedFields('EnvoyPatchPolicy', resource.spec);
    const add = (
      ref: Omit<AncestorRef, 'namespace'> & { namespace?: string },
      valid: boolean,
      message: string,
    ) => {
      const conditions = new Conditions(resource.metadata.generation ?? undefined);
      if (!valid) conditions.set('Accepted', 'False', 'Invalid', message);
      else if (notApplied.length > 0)
        conditions.set(
          'Accepted',
          'False',
          NOT_APPLIED_REASON,
          notAppliedMessage(notApplied, 'the patches are not in effect.'),
        );
      else conditions.set('Accepted', 'True', 'Accepted', message);
      ancestors.push({ ancestorRef: ref as AncestorRef, conditions });
    };
    if (target.kind === 'Gateway') {
      const gw = ctx.gatewaysByKey.get(`${namespace}/${target.name}`);
      if (gw && mergesGateways(ctx, gw.gatewayClassName)) {
        add(
          { group: GATEWAY_GROUP, kind: 'GatewayClass', name: target.name },
          false,
          'Gateways are merged: target their GatewayClass.',
        );
      } else if (gw) {
        add(
          { group: GATEWAY_GROUP, kind: 'Gateway', namespace, name: target.name },
          true,
          'Policy has been accepted.',
        );
      }
    } else if (target.kind === 'GatewayClass' && ctx.gatewayClasses.has(target.name)) {
      const merged = mergesGateways(ctx, target.name);
      add(
        { group: GATEWAY_GROUP, kind: 'GatewayClass', name: target.name },
        merged,
        merged
          ? 'Policy has been accepted.'
          : 'A GatewayClass can be targeted only when its Gateways are merged.',
      );
    }
    return { resource, ancestors };
  });
}
