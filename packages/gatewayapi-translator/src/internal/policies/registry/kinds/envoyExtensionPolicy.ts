// EnvoyExtensionPolicy fields: applied or not (see ../fieldRegistry.ts). Lua scripts and external
// processors run on the routes the policy extends; a processor's backendSettings, shadow mode and
// status on error, Wasm, dynamic modules, a Lua filter context and merging do not yet.
import type { KindFields } from '../fieldRegistry.js';
import { TARGETING_PROOF } from './proofs.js';

const LUA = 'apps/conformance/src/tests/envoyGateway/envoyExtensionPolicy.ts: LuaHTTP';
const EXT_PROC = 'apps/conformance/src/tests/envoyGateway/envoyExtensionPolicy.ts: EgtsExtProc';

export const envoyExtensionPolicyFields: KindFields = {
  applied: {
    'spec.targetRef': TARGETING_PROOF,
    'spec.targetRefs': TARGETING_PROOF,
    'spec.targetSelectors': TARGETING_PROOF,
    'spec.lua.type': LUA,
    'spec.lua.inline': LUA,
    'spec.lua.valueRef': LUA,
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
  },
  notApplied: [
    'spec.dynamicModule',
    'spec.extProc.backendRefs.fallback',
    'spec.extProc.backendSettings',
    'spec.extProc.shadowMode',
    'spec.extProc.statusOnError',
    'spec.lua.filterContext',
    'spec.mergeType',
    'spec.wasm',
  ],
};
