// The dynamic module the dynamic module tests load into Envoy: scripts/dynamic-module (a C module
// for Envoy 1.40's dynamic modules ABI: the `header_mutation` HTTP filter and the `first_healthy`
// load balancer), which scripts/setup-dynamic-module.sh builds into .tools/dynamic-modules.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The module: EGTS_DYNAMIC_MODULE, else .tools/dynamic-modules/libheader_mutation.so of this repository. */
export function testDynamicModulePath(): string {
  const path =
    process.env.EGTS_DYNAMIC_MODULE ??
    resolve(import.meta.dirname, '../../../../.tools/dynamic-modules/libheader_mutation.so');
  if (!existsSync(path))
    throw new Error(
      `no test dynamic module at ${path}: run scripts/setup-dynamic-module.sh (needs a C compiler) or set EGTS_DYNAMIC_MODULE`,
    );
  return path;
}
