// Extension policies (EnvoyGateway `extensionManager.policyResources`) -> each fleet's
// `extensionServerPolicies`: a policy targets Gateways of its own namespace (targetRef or
// targetRefs, optionally one sectionName), as Envoy Gateway supports; it is handed to the
// extension with the fleet's listeners it targets.
import type { ExtensionServerPolicy, XdsIR } from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import { groupKindOf } from './extensionObjects.js';

interface TargetRef {
  group?: string;
  kind?: string;
  name?: string;
  sectionName?: string;
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

const targetsOf = (spec: unknown): TargetRef[] => {
  const s = (spec ?? {}) as { targetRef?: TargetRef; targetRefs?: TargetRef[] };
  return [...(s.targetRef ? [s.targetRef] : []), ...(s.targetRefs ?? [])];
};

/** The extension policies of fleet `ir`, in the order they were read; undefined: none. */
export function extensionServerPolicies(
  ctx: TranslatorContext,
  ir: XdsIR,
): ExtensionServerPolicy[] | undefined {
  const kinds = ctx.options.extensionKinds.policies;
  if (kinds.size === 0) return undefined;
  const listeners = [...ir.http, ...ir.tcp, ...ir.udp].map((l) => l.name);
  const out: ExtensionServerPolicy[] = [];
  for (const object of ctx.resources.extensionResources ?? []) {
    if (!kinds.has(groupKindOf(object))) continue;
    const namespace = object.metadata.namespace ?? 'default';
    const targeted = new Set<string>();
    for (const ref of targetsOf(object.spec)) {
      if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || ref.kind !== 'Gateway' || !ref.name)
        continue;
      // IR listener names are `<namespace>/<gateway>/<listener>`.
      const prefix = `${namespace}/${ref.name}/`;
      for (const name of listeners) {
        if (!name.startsWith(prefix)) continue;
        if (ref.sectionName === undefined || name === `${prefix}${ref.sectionName}`)
          targeted.add(name);
      }
    }
    if (targeted.size > 0) out.push({ object, listeners: [...targeted].sort() });
  }
  return out.length > 0 ? out : undefined;
}
