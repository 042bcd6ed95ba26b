// translateXds(): the xDS IR of one proxy fleet -> Envoy resources. Pure and deterministic:
// names come from the IR, resources are deduplicated by name and sorted, the IR is not mutated.
// Each call starts from nothing; createXdsTranslator() keeps what it built between calls.
import type { XdsIR } from '@egts/ir';
import { withIpFamilyDns } from './internal/cluster/ipFamilyDns.js';
import { addLocalCluster } from './internal/cluster/localCluster.js';
import { addStreamListeners } from './internal/listener/streamListeners.js';
import { addUdpListener } from './internal/listener/udpListener.js';
import { applyEnvoyPatches } from './internal/patches/applyEnvoyPatches.js';
import { ResourceSet } from './internal/resourceSet.js';
import { XdsMemo } from './internal/xdsMemo.js';
import type { TranslateXdsOptions, XdsResources } from './xdsResources.js';

export const translateXds = (ir: XdsIR, options: TranslateXdsOptions = {}): XdsResources =>
  translateXdsWith(new XdsMemo(false), ir, options);

/**
 * translateXds() remembering in `memo`: unchanged IR objects give the message objects built
 * before, and a list equal to one built before is that same array. Neither the output's messages
 * nor its arrays may be mutated. `previous`: the resources this translation replaces (the
 * fleet's last ones), whose lists it makes its own from (ResourceSet).
 */
export const translateXdsWith = (
  memo: XdsMemo,
  ir: XdsIR,
  options: TranslateXdsOptions,
  previous?: XdsResources,
): XdsResources => {
  const out = new ResourceSet(options.mode ?? 'ads', memo, false, false, previous);
  addLocalCluster(ir, out);
  addStreamListeners(ir, out);
  for (const listener of ir.udp)
    addUdpListener(listener, out, ir.accessLog, ir.ipFamily === 'DualStack');
  const resources = withIpFamilyDns(out.toResources(), ir.ipFamily);
  // Last, on the final resources (Envoy Gateway's EnvoyPatchPolicy).
  const policies = ir.envoyPatchPolicies ?? [];
  if (policies.length === 0) return resources;
  const patched = applyEnvoyPatches(resources, policies);
  return { ...patched.resources, envoyPatchPolicies: patched.outcomes };
};
