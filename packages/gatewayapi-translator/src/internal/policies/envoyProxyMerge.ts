// EnvoyProxy `mergeType`: a Gateway's own EnvoyProxy (infrastructure.parametersRef) replaces its
// GatewayClass's unless it sets mergeType, when it is merged onto it (Envoy Gateway's hierarchy:
// GatewayClass < Gateway). JSONMerge is RFC 7386. StrategicMerge is Kubernetes' strategic merge
// patch over EnvoyProxy's Go types, where only lists of embedded Kubernetes core types (container
// env, volumes and the like) merge by key; egts applies none of those, so over the fields it
// applies StrategicMerge is JSONMerge: objects merge, lists and scalars are replaced.
import { type EnvoyProxy, jsonMergePatch } from '@egts/api';

const merged = new WeakMap<EnvoyProxy, WeakMap<EnvoyProxy, EnvoyProxy>>();

/** The EnvoyProxy a Gateway runs with: its own, merged onto its class's when it says so. */
export function gatewayEnvoyProxy(classProxy: EnvoyProxy | undefined, own: EnvoyProxy): EnvoyProxy {
  const type = own.spec.mergeType;
  if (classProxy === undefined || (type !== 'JSONMerge' && type !== 'StrategicMerge')) return own;
  // One object per pair, so that what keys on the EnvoyProxy sees the same one each time.
  let byOwn = merged.get(classProxy);
  if (byOwn === undefined) {
    byOwn = new WeakMap();
    merged.set(classProxy, byOwn);
  }
  let out = byOwn.get(own);
  if (out === undefined) {
    const { mergeType: _mergeType, ...ownSpec } = own.spec;
    out = { ...own, spec: jsonMergePatch(classProxy.spec, ownSpec) as EnvoyProxy['spec'] };
    byOwn.set(own, out);
  }
  return out;
}
