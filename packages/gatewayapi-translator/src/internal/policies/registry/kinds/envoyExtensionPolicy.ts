// EnvoyExtensionPolicy fields: applied or not (see ../fieldRegistry.ts). Lua scripts and external
// processors run on the routes the policy extends (shadow mode and status on error too), a
// processor's backendSettings are BackendTrafficPolicy's (derived from its entries below); dynamic
// modules and an image pull policy do not apply yet; a route policy's mergeType merges it onto the
// broader policy. Wasm modules come over HTTP(S) or from OCI images through the control plane's
// Wasm cache.
import type { KindFields } from '../fieldRegistry.js';
import { backendTrafficPolicyFields } from './backendTrafficPolicy.js';
import { TARGETING_PROOF } from './proofs.js';

const LUA = 'apps/conformance/src/tests/envoyGateway/envoyExtensionPolicy.ts: LuaHTTP';
const EXT_PROC = 'apps/conformance/src/tests/envoyGateway/envoyExtensionPolicy.ts: EgtsExtProc';
const WASM_IR =
  'packages/xds-translator/src/__tests__/wasm.test.ts: loads served modules from the Wasm cache';
const WASM = 'apps/conformance/src/tests/envoyGateway/envoyExtensionPolicy.ts: WasmHTTPCodeSource';
const WASM_OCI = 'apps/conformance/src/tests/envoyGateway/wasmOci.ts: WasmOCIImageCodeSource';

/**
 * The processor's `backendSettings`: BackendTrafficPolicy's cluster settings. Envoy Gateway builds
 * its cluster as a route's under a BackendTrafficPolicy (createExtServiceXDSCluster with the
 * settings' traffic) and retries its gRPC calls (buildNonRouteRetryPolicy); so does egts
 * (serviceSettings(), the SecurityPolicy services' path). Applied where BackendTrafficPolicy applies
 * them, but a route's request and stream idle timeouts (no route carries the processor's calls).
 */
const SETTING_GROUPS = new Set([
  'circuitBreaker',
  'connection',
  'dns',
  'healthCheck',
  'http2',
  'loadBalancer',
  'proxyProtocol',
  'retry',
  'tcpKeepalive',
  'timeout',
]);
const SETTINGS_PROOF =
  'apps/conformance/src/__tests__/extProcServiceSettings.test.ts: the processor cluster carries the settings of a BackendTrafficPolicy';
const SETTINGS_BEHAVIOUR = (test: string) =>
  `apps/conformance/src/__tests__/extProcServiceSettings.integration.test.ts: ${test}`;
const SETTINGS_NOT_APPLIED = [
  'spec.extProc.backendSettings.timeout.http.requestTimeout',
  'spec.extProc.backendSettings.timeout.http.streamIdleTimeout',
];
const settingPath = (btpPath: string) => `spec.extProc.backendSettings.${btpPath.slice(5)}`;
const inGroups = (btpPath: string) => SETTING_GROUPS.has(btpPath.split('.')[1] ?? '');
const settingsApplied: Record<string, string> = Object.fromEntries(
  Object.keys(backendTrafficPolicyFields.applied)
    .filter(inGroups)
    .map(settingPath)
    .filter((path) => !SETTINGS_NOT_APPLIED.includes(path))
    .map((path) => [path, SETTINGS_PROOF]),
);
const settingsNotApplied = [
  ...backendTrafficPolicyFields.notApplied.filter(inGroups).map(settingPath),
  ...SETTINGS_NOT_APPLIED,
];

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
    'spec.wasm.code.image.url': WASM_OCI,
    'spec.wasm.code.image.sha256': WASM_OCI,
    'spec.wasm.code.image.pullSecretRef': WASM_OCI,
    'spec.wasm.code.image.tls':
      'packages/infra-manager/src/__tests__/wasmImage.test.ts: pulls a module from a registry over HTTPS with its CA',
    'spec.wasm.failOpen': WASM_IR,
    'spec.wasm.env': WASM_IR,
    ...settingsApplied,
    'spec.extProc.backendSettings.proxyProtocol': SETTINGS_BEHAVIOUR(
      'a processor behind a PROXY protocol only listener is reached with backendSettings.proxyProtocol',
    ),
  },
  notApplied: [
    'spec.dynamicModule',
    'spec.extProc.backendRefs.fallback',
    ...settingsNotApplied,
    'spec.wasm.code.pullPolicy',
  ],
};
