// EnvoyPatchPolicies: a patch applies to the xDS of one Gateway, or of a GatewayClass whose
// EnvoyProxy merges its Gateways (then the class must be the target: a Gateway target is Invalid,
// reported against the class as Envoy Gateway does). Accepted policies go into their fleet's xDS
// IR, by priority; the xDS translator applies them and says whether they are Programmed
// (withEnvoyPatchOutcomes). Off unless the EnvoyGateway enables them (extensionApis).
import type { EnvoyPatchPolicy } from '@egts/api';
import type { EnvoyPatchPolicyIR } from '@egts/ir';
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
  /** The xDS IR fleet the patches apply to, when accepted. */
  fleet?: string;
}

function mergesGateways(ctx: TranslatorContext, className: string): boolean {
  const spec = ctx.gatewayClasses.get(className)?.envoyProxy?.spec as
    | { mergeGateways?: boolean }
    | undefined;
  return spec?.mergeGateways === true;
}

const DISABLED_MESSAGE = 'EnvoyPatchPolicy is disabled in the EnvoyGateway configuration';

export function processEnvoyPatchPolicies(ctx: TranslatorContext): EnvoyPatchPolicyStatus[] {
  return ctx.resources.envoyPatchPolicies.map((resource) => {
    const namespace = resource.metadata.namespace ?? 'default';
    const target = resource.spec.targetRef;
    const ancestors: PolicyAncestor[] = [];
    const notApplied = notAppliedFields('EnvoyPatchPolicy', resource.spec);
    let fleet: string | undefined;
    const add = (
      ref: Omit<AncestorRef, 'namespace'> & { namespace?: string },
      valid: boolean,
      message: string,
    ) => {
      const conditions = new Conditions(resource.metadata.generation ?? undefined);
      if (!ctx.options.enableEnvoyPatchPolicy)
        conditions.set('Accepted', 'False', 'Disabled', DISABLED_MESSAGE);
      else if (!valid) conditions.set('Accepted', 'False', 'Invalid', message);
      else if (notApplied.length > 0)
        conditions.set(
          'Accepted',
          'False',
          NOT_APPLIED_REASON,
          notAppliedMessage(notApplied, 'the patches are not in effect.'),
        );
      else {
        conditions.set('Accepted', 'True', 'Accepted', message);
        fleet = ref.kind === 'Gateway' ? `${namespace}/${ref.name}` : ref.name;
      }
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
    return { resource, ancestors, ...(fleet === undefined ? {} : { fleet }) };
  });
}

/** The accepted policies of each fleet, in the order their patches apply: priority, then name. */
export function envoyPatchPoliciesByFleet(
  statuses: readonly EnvoyPatchPolicyStatus[],
): Map<string, EnvoyPatchPolicyIR[]> {
  const key = (s: EnvoyPatchPolicyStatus) =>
    `${s.resource.metadata.namespace ?? 'default'}/${s.resource.metadata.name}`;
  const ordered = statuses
    .filter((s) => s.fleet !== undefined)
    .sort(
      (a, b) =>
        (a.resource.spec.priority ?? 0) - (b.resource.spec.priority ?? 0) ||
        (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0),
    );
  const out = new Map<string, EnvoyPatchPolicyIR[]>();
  for (const s of ordered) {
    const patches = (s.resource.spec.jsonPatches ?? []).map((p) => ({
      type: p.type,
      name: p.name,
      op: p.operation.op,
      path: p.operation.path ?? '',
      ...(p.operation.jsonPath === undefined ? {} : { jsonPath: p.operation.jsonPath }),
      ...(p.operation.from === undefined ? {} : { from: p.operation.from }),
      ...(p.operation.value === undefined ? {} : { value: p.operation.value }),
    }));
    const list = out.get(s.fleet as string) ?? [];
    list.push({
      namespace: s.resource.metadata.namespace ?? 'default',
      name: s.resource.metadata.name,
      patches,
    });
    out.set(s.fleet as string, list);
  }
  return out;
}
