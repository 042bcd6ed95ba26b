// xDS IR of an EnvoyExtensionPolicy as it extends one route (Envoy Gateway's EnvoyExtensionPolicy):
// Lua scripts and external processors; the xds translator turns each part into its Envoy HTTP filter, enabled per route.
import { z } from 'zod';
import { RouteDestinationSchema } from './destination.js';
import { DynamicModuleSourceSchema } from './dynamicModule.js';
import { RetrySchema } from './retry.js';

/** One Lua script (envoy.filters.http.lua), run in the order listed. */
export const LuaScriptSchema = z.object({
  /** Unique per proxy: `<namespace>/<policy>/lua/<index>`; routes select the script by it. */
  name: z.string(),
  /** The script's source, checked before it gets here (luaScript.ts). */
  code: z.string(),
  /** Values the script reads with `handle:filterContext()` on its routes (`filterContext`). */
  filterContext: z.record(z.string(), z.unknown()).optional(),
});
export type LuaScript = z.infer<typeof LuaScriptSchema>;

const BodyModeSchema = z.enum(['Streamed', 'Buffered', 'BufferedPartial']);

/** What one direction (request or response) sends to the processor; absent: nothing. */
const ExtProcDirectionSchema = z.object({
  /** How the body is sent; absent: the headers only. */
  body: BodyModeSchema.optional(),
  /** Envoy attributes sent along (`xds.route_name`, `request.path`, ...). */
  attributes: z.array(z.string()),
});

/** One external processor (envoy.filters.http.ext_proc), a gRPC service. */
export const ExtProcSchema = z.object({
  /** Unique per proxy: `<namespace>/<policy>/extproc/<index>`; names the filter instance. */
  name: z.string(),
  /** The processor's gRPC service. */
  destination: RouteDestinationSchema,
  /** The :authority of calls to it: `<service>.<namespace>:<port>` of its first backendRef. */
  authority: z.string(),
  request: ExtProcDirectionSchema.optional(),
  response: ExtProcDirectionSchema.optional(),
  /** The processor may change the processing mode of a request. */
  allowModeOverride: z.boolean(),
  /** Let requests through when the processor fails or cannot be reached. */
  failOpen: z.boolean(),
  /**
   * Shadow mode (`shadowMode`, Envoy's observability_mode): the processor sees the traffic
   * asynchronously and its answers are ignored.
   */
  shadowMode: z.boolean().optional(),
  /** The status clients get when the processor fails or cannot be reached (absent: 500). */
  statusOnError: z.number().int().optional(),
  /** Retries of a failed call to the processor (backendSettings `retry`, as Envoy Gateway). */
  retry: RetrySchema.optional(),
  /** How long Envoy waits for each answer, in milliseconds; absent: Envoy's default (200 ms). */
  messageTimeoutMs: z.number().optional(),
  /** Dynamic metadata namespaces sent to the processor, and those it may write. */
  forwardingNamespaces: z.array(z.string()),
  receivingNamespaces: z.array(z.string()),
});
export type ExtProc = z.infer<typeof ExtProcSchema>;

/**
 * One Wasm extension (envoy.filters.http.wasm), run in the order listed. Its code is fetched by
 * the control plane (a Wasm cache, which checks the checksum, keeps the module on disk and serves
 * it to the proxies); the filter names the module by its source URL.
 */
export const WasmModuleSchema = z.object({
  /** Unique per proxy: `<namespace>/<policy>/wasm/<index>`; names the filter's plugin. */
  name: z.string(),
  /** The extension's `rootID`: which root context of the module runs it. */
  rootId: z.string().optional(),
  /**
   * Where the code comes from: an HTTP(S) URL and the checksum the module must have, or an OCI
   * image (`type: Image`, `url` its reference) and the digest its manifest must have.
   */
  code: z.object({
    /** Absent: HTTP. */
    type: z.enum(['HTTP', 'Image']).optional(),
    url: z.string(),
    sha256: z.string().optional(),
    /** PEM CA bundle the HTTPS source or registry is verified with (`tls.caCertificateRef`). */
    ca: z.string().optional(),
    /** Docker config JSON the registry is logged in to with (`image.pullSecretRef`). */
    pullSecret: z.string().optional(),
    /**
     * Without `sha256`, whether a module fetched before is used again (`IfNotPresent`) or
     * fetched anew for each `pullVersion` (`Always`), as Envoy Gateway's Wasm cache
     * (`code.pullPolicy`; default Always for an image tagged `latest`, else IfNotPresent).
     */
    pullPolicy: z.enum(['IfNotPresent', 'Always']).optional(),
    /** With `Always`: changes when the policy does, so that its module is fetched again. */
    pullVersion: z.string().optional(),
  }),
  /** The plugin configuration as JSON text (`config`), passed to the module as a string. */
  config: z.string().optional(),
  /** Let requests through when the module fails to load or run (`failOpen`). */
  failOpen: z.boolean(),
  /** Environment variables of the proxy process the module may read (`env.hostKeys`). */
  hostKeys: z.array(z.string()),
  /**
   * Where the proxies load the module from, filled in by the Wasm cache once it fetched and
   * checked it (the gateway-api translator leaves it out): the cache's URL and the checksum.
   */
  served: z.object({ url: z.string(), sha256: z.string() }).optional(),
  /** Why the Wasm cache could not serve the module (fetch failed, checksum mismatch). */
  unavailable: z.string().optional(),
});
export type WasmModule = z.infer<typeof WasmModuleSchema>;

/** One dynamic module HTTP filter (envoy.filters.http.dynamic_modules), run in the order listed. */
export const DynamicModuleFilterSchema = z.object({
  /** Unique per proxy: `<namespace>/<policy>/dynamic-module/<index>`; names the filter. */
  name: z.string(),
  /** The module as the Gateway's EnvoyProxy registers it. */
  source: DynamicModuleSourceSchema,
  /** Which filter implementation of the module runs (`filterName`; empty: the module's default). */
  filterName: z.string(),
  /** The filter's configuration as JSON text (`config`), passed to the module as a string. */
  config: z.string().optional(),
  /** The module answers requests itself, with no upstream (`terminalFilter`). */
  terminalFilter: z.boolean(),
});
export type DynamicModuleFilter = z.infer<typeof DynamicModuleFilterSchema>;

export const ExtensionsIRSchema = z.object({
  /** The policy, `<namespace>/<name>`. */
  policy: z.string(),
  lua: z.array(LuaScriptSchema),
  /** Run in order, before the Lua scripts (Envoy Gateway's filter order). */
  extProc: z.array(ExtProcSchema),
  /** Run in order, after the external processors and before the Lua scripts. */
  wasm: z.array(WasmModuleSchema).optional(),
  /** Run in order, after the Wasm modules and before the Lua scripts (Envoy Gateway's order). */
  dynamicModules: z.array(DynamicModuleFilterSchema).optional(),
});
export type ExtensionsIR = z.infer<typeof ExtensionsIRSchema>;
