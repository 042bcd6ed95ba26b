// EnvoyExtensionPolicy fields: applied or not (see ../fieldRegistry.ts). Lua scripts and external
// processors run on the routes the policy extends (shadow mode and status on error too), a
// processor's backendSettings are BackendTrafficPolicy's (derived from its entries below); dynamic
// modules the Gateway's EnvoyProxy registers run as Envoy's dynamic modules filter; a route policy's mergeType merges it onto the
// broader policy. Wasm modules come over HTTP(S) or from OCI images through the control plane's
// Wasm cache.
import type { KindFields } from '../fieldRegistry.js';
import { TARGETING_PROOF } from './proofs.js';
import { serviceBackendSettings } from './serviceSettings.js';

const LUA = 'apps/conformance/src/tests/envoyGateway/envoyExtensionPolicy.ts: LuaHTTP';
const EXT_PROC = 'apps/conformance/src/tests/envoyGateway/envoyExtensionPolicy.ts: EgtsExtProc';
const WASM_IR =
  'packages/xds-translator/src/__tests__/wasm.test.ts: loads served modules from the Wasm cache';
const WASM = 'apps/conformance/src/tests/envoyGateway/envoyExtensionPolicy.ts: WasmHTTPCodeSource';
const WASM_OCI = 'apps/conformance/src/tests/envoyGateway/wasmOci.ts: WasmOCIImageCodeSource';
const DYNAMIC_MODULE =
  'apps/conformance/src/tests/envoyGateway/dynamicModule.ts: EgtsDynamicModule';

/**
 * The processor's `backendSettings`: BackendTrafficPolicy's cluster settings (serviceSettings.ts),
 * its gRPC calls retried as Envoy Gateway's buildNonRouteRetryPolicy does; all but a route's
 * request and stream idle timeouts (no route carries the processor's calls).
 */
const SETTINGS_PROOF =
  'apps/conformance/src/__tests__/extProcServiceSettings.test.ts: the processor cluster carries the settings of a BackendTrafficPolicy';
const SETTINGS_BEHAVIOUR = (test: string) =>
  `apps/conformance/src/__tests__/extProcServiceSettings.integration.test.ts: ${test}`;
const { applied: settingsApplied, notApplied: settingsNotApplied } = serviceBackendSettings(
  'spec.extProc',
  SETTINGS_PROOF,
  [
    'spec.extProc.backendSettings.timeout.http.requestTimeout',
    'spec.extProc.backendSettings.timeout.http.streamIdleTimeout',
  ],
  // The module the Gateway's EnvoyProxy registers, as a route's load balancer.
  {
    'spec.extProc.backendSettings.loadBalancer.dynamicModule':
      "apps/conformance/src/__tests__/extProcModuleLoadBalancer.integration.test.ts: sends every call to the module's pick, where two refs would share them",
  },
);

export const envoyExtensionPolicyFields: KindFields = {
  applied: {
    'spec.targetRef': TARGETING_PROOF,
    'spec.targetRefs': TARGETING_PROOF,
    'spec.targetSelectors': TARGETING_PROOF,
    'spec.lua.type': LUA,
    'spec.lua.inline': LUA,
    'spec.lua.valueRef': LUA,
    'spec.lua.filterContext': LUA,
    'spec.extProc.backendRef': EXT_PROC,
    'spec.extProc.backendRefs.group': EXT_PROC,
    'spec.extProc.backendRefs.kind': EXT_PROC,
    'spec.extProc.backendRefs.name': EXT_PROC,
    'spec.extProc.backendRefs.namespace': EXT_PROC,
    'spec.extProc.backendRefs.port': EXT_PROC,
    'spec.extProc.backendRefs.weight': EXT_PROC,
    'spec.extProc.backendRefs.fallback':
      'apps/conformance/src/__tests__/extProcFallback.integration.test.ts: calls the fallback processor only once the other is unhealthy',
    'spec.extProc.processingMode': EXT_PROC,
    'spec.extProc.failOpen': EXT_PROC,
    'spec.extProc.messageTimeout': EXT_PROC,
    'spec.extProc.metadata': EXT_PROC,
    'spec.extProc.statusOnError': EXT_PROC,
    'spec.extProc.shadowMode':
      'apps/conformance/src/tests/envoyGateway/envoyExtensionPolicy.ts: EgtsExtProcShadowMode',
    'spec.mergeType':
      'apps/conformance/src/tests/envoyGateway/envoyExtensionPolicy.ts: EnvoyExtensionPolicyMerged',
    'spec.wasm.name': WASM,
    'spec.wasm.rootID': WASM,
    'spec.wasm.code.type': WASM,
    'spec.wasm.code.http.url': WASM,
    'spec.wasm.code.http.sha256': WASM,
    'spec.wasm.config': WASM,
    'spec.wasm.code.http.tls':
      'apps/conformance/src/tests/envoyGateway/envoyExtensionPolicy.ts: WasmHTTPTLS',
    'spec.wasm.code.pullPolicy':
      'apps/conformance/src/tests/envoyGateway/wasmPullPolicy.ts: EgtsWasmPullPolicy',
    'spec.wasm.code.image.url': WASM_OCI,
    'spec.wasm.code.image.sha256': WASM_OCI,
    'spec.wasm.code.image.pullSecretRef': WASM_OCI,
    'spec.wasm.code.image.tls':
      'packages/infra-manager/src/__tests__/wasmImage.test.ts: pulls a module from a registry over HTTPS with its CA',
    'spec.dynamicModule': DYNAMIC_MODULE,
    'spec.wasm.failOpen': WASM_IR,
    'spec.wasm.env': WASM_IR,
    ...settingsApplied,
    'spec.extProc.backendSettings.proxyProtocol': SETTINGS_BEHAVIOUR(
      'a processor behind a PROXY protocol only listener is reached with backendSettings.proxyProtocol',
    ),
  },
  notApplied: [...settingsNotApplied],
};
