// A dynamic module as the Gateway's EnvoyProxy registers it (`spec.dynamicModules`): the shared
// library Envoy loads for the EnvoyExtensionPolicy HTTP filters and BackendTrafficPolicy load
// balancers that name it (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/advanced/dynamic_modules).
import { z } from 'zod';

/**
 * Where Envoy loads the module from: a shared library on the proxy's file system, or one Envoy
 * fetches itself from an HTTP(S) URL and checks against `sha256` (a remote AsyncDataSource, over a
 * cluster the xds-translator derives from the URL, as Envoy Gateway does).
 */
export const DynamicModuleSourceSchema = z.object({
  /** Absolute path of the shared library on the proxy (`source.local.path`). */
  path: z.string().optional(),
  /** The HTTP(S) URL of a remote module (`source.remote.url`); flat, as IR schemas nest deep. */
  url: z.string().optional(),
  /** The checksum a remote module must have (`source.remote.sha256`). */
  sha256: z.string().optional(),
  /** Keep the library loaded once no configuration uses it (`doNotClose`). */
  doNotClose: z.boolean(),
  /** Load it with RTLD_GLOBAL (`loadGlobally`). */
  loadGlobally: z.boolean(),
});
export type DynamicModuleSource = z.infer<typeof DynamicModuleSourceSchema>;
