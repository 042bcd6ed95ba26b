// What an EnvoyExtensionPolicy runs on the routes it extends (Envoy Gateway's
// envoyextensionpolicy.go): its external processors (gRPC services from backendRefs) and its Lua
// scripts, inline or from a ConfigMap of the policy's namespace (key `lua`, else the first key),
// each checked as the Gateway's EnvoyProxy asks (luaScript.ts); its Wasm modules, from HTTP(S) or
// OCI image sources, which the control plane's Wasm cache fetches after translation. What cannot be built makes the
// policy Invalid on that Gateway.
import { createHash } from 'node:crypto';
import { jsonMergePatch } from '@egts/api';
import type {
  DynamicModuleFilter,
  ExtensionsIR,
  ExtProc,
  HTTPRouteIR,
  LuaScript,
  WasmModule,
} from '@egts/ir';
import { readCABundle } from '../caCertificates.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { secretValue } from '../listeners/certificates.js';
import { nsName } from '../types.js';
import { moduleConfig, registeredModule, withRegisteredModule } from './dynamicModules.js';
import type { PolicyScope } from './policyScope.js';
import { policySettings } from './policySettings.js';
import type { AppliedPolicy } from './processPolicies.js';
import { serviceDestination } from './securityPolicyRefs.js';
import { serviceSettings } from './securityPolicyServices.js';
import type { LuaSandbox } from './validation/luaSandbox.js';
import { type LuaValidation, luaScriptProblem } from './validation/luaScript.js';
import { type PolicyRef, serviceBackendRefs } from './validation/policyBackendRefs.js';
import { list, type Obj, obj, parseGoDuration } from './validation/policyValues.js';

/** The validation level of the Gateway's EnvoyProxy (spec.lua.validationType; Strict default). */
const luaValidation = (scope: PolicyScope): LuaValidation => {
  const proxySpec = obj((scope.gateway.envoyProxy as { spec?: unknown } | undefined)?.spec);
  return (obj(proxySpec?.lua)?.validationType ??
    proxySpec?.luaValidation ??
    'Strict') as LuaValidation;
};

/** The Strict validation sandbox of the Gateway's EnvoyProxy (spec.lua.strictValidation). */
const luaSandbox = (scope: PolicyScope): LuaSandbox => {
  const proxySpec = obj((scope.gateway.envoyProxy as { spec?: unknown } | undefined)?.spec);
  const strict = obj(obj(proxySpec?.lua)?.strictValidation);
  return {
    allowedPaths: strings(strict?.allowedPaths),
    allowedEnvVars: strings(strict?.allowedEnvVars),
  };
};

/** The source of one `lua` entry, or why it cannot be read. */
function luaSource(ctx: TranslatorContext, policy: PolicyRef, lua: Obj): string | Error {
  if (lua.type !== 'ValueRef') {
    return typeof lua.inline === 'string' ? lua.inline : new Error('inline is required');
  }
  const ref = obj(lua.valueRef);
  if (ref?.kind !== 'ConfigMap')
    return new Error(`valueRef: kind ${String(ref?.kind)} is not supported`);
  const name = String(ref.name);
  const configMap = ctx.configMaps.get(nsName(policy.namespace, name)) as
    | { data?: Record<string, string> }
    | undefined;
  if (!configMap) return new Error(`valueRef: ConfigMap ${policy.namespace}/${name} not found`);
  const data = configMap.data ?? {};
  const key = Object.hasOwn(data, 'lua') ? 'lua' : Object.keys(data).sort()[0];
  const code = key === undefined ? undefined : data[key];
  return code ?? new Error(`valueRef: ConfigMap ${policy.namespace}/${name} has no data`);
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** What one direction sends to the processor; absent when the policy names nothing for it. */
function direction(mode: Obj | undefined, field: string): ExtProc['request'] {
  if (!mode) return undefined;
  const body = mode.body;
  if (body === 'FullDuplexStreamed')
    throw new Error(`${field}.body: FullDuplexStreamed is not supported by egts yet`);
  return {
    attributes: strings(mode.attributes),
    ...(typeof body === 'string'
      ? { body: body as 'Streamed' | 'Buffered' | 'BufferedPartial' }
      : {}),
  };
}

function extProc(
  ctx: TranslatorContext,
  policy: PolicyRef,
  spec: Obj,
  index: number,
  envoyProxy: unknown,
): ExtProc {
  const field = `extProc[${index}]`;
  const name = `envoyextensionpolicy/${policy.namespace}/${policy.name}/extproc/${index}`;
  const refs = serviceDestination(ctx, policy, `${field}.backendRefs`, spec, name, 'GRPC');
  if (!refs) throw new Error(`${field}: backendRefs are required`);
  // backendSettings: a BackendTrafficPolicy's cluster settings on the processor's cluster, and its
  // retry on the gRPC calls (Envoy Gateway: createExtServiceXDSCluster, buildNonRouteRetryPolicy).
  const settings = serviceSettings(spec);
  // A module load balancer loads the module the Gateway's EnvoyProxy registers, as a route's.
  const module = settings.destination.loadBalancer?.dynamicModule?.module;
  const source = module === undefined ? undefined : registeredModule(envoyProxy, module);
  if (typeof source === 'string')
    throw new Error(`${field}.backendSettings.loadBalancer.dynamicModule: ${source}`);
  const destination = { ...refs, ...withRegisteredModule(settings.destination, envoyProxy) };
  // As Envoy Gateway: the first backendRef's host and port (a cluster name is no authority).
  const first = serviceBackendRefs(spec)[0] ?? {};
  const authority = `${String(first.name)}.${typeof first.namespace === 'string' ? first.namespace : policy.namespace}:${String(first.port)}`;
  const mode = obj(spec.processingMode);
  const request = direction(obj(mode?.request), `${field}.processingMode.request`);
  const response = direction(obj(mode?.response), `${field}.processingMode.response`);
  const metadata = obj(spec.metadata);
  const timeout = parseGoDuration(spec.messageTimeout);
  return {
    name: `${policy.namespace}/${policy.name}/extproc/${index}`,
    destination,
    authority,
    ...(request ? { request } : {}),
    ...(response ? { response } : {}),
    allowModeOverride: mode?.allowModeOverride === true,
    failOpen: spec.failOpen === true,
    ...(spec.shadowMode === true ? { shadowMode: true } : {}),
    ...(typeof spec.statusOnError === 'number' ? { statusOnError: spec.statusOnError } : {}),
    ...(settings.route.retry ? { retry: settings.route.retry } : {}),
    ...(timeout === undefined ? {} : { messageTimeoutMs: timeout }),
    forwardingNamespaces: strings(metadata?.accessibleNamespaces),
    receivingNamespaces: strings(metadata?.writableNamespaces),
  };
}

/** The PEM CA of a source's `tls.caCertificateRef` (ConfigMap or Secret of the policy's namespace). */
function sourceCa(
  ctx: TranslatorContext,
  policy: PolicyRef,
  field: string,
  tls: Obj | undefined,
): string | undefined {
  const caRef = obj(tls?.caCertificateRef);
  if (!caRef) return undefined;
  const kind = caRef.kind === 'Secret' ? 'Secret' : 'ConfigMap';
  const ca = readCABundle(ctx, kind, policy.namespace, String(caRef.name));
  if (!ca)
    throw new Error(
      `${field}.tls.caCertificateRef: ${kind} ${policy.namespace}/${String(caRef.name)} holds no CA certificate`,
    );
  return ca;
}

/** The Docker config JSON of an image's `pullSecretRef` (its `.dockerconfigjson`), as Envoy Gateway. */
function pullSecret(ctx: TranslatorContext, policy: PolicyRef, field: string, ref: Obj): string {
  const namespace = typeof ref.namespace === 'string' ? ref.namespace : policy.namespace;
  const name = String(ref.name);
  // Found and granted (ReferenceGrant) already: validateEnvoyExtensionPolicy checked it.
  const secret = ctx.secrets.get(nsName(namespace, name));
  if (!secret) throw new Error(`${field}.pullSecretRef: Secret ${namespace}/${name} not found`);
  const config = secretValue(secret, '.dockerconfigjson');
  if (config === undefined)
    throw new Error(`missing .dockerconfigjson key in secret ${namespace}/${name}`);
  return config;
}

/** A checksum as written, lowercased; 64 hex digits (sha256) when given. */
function checksum(field: string, value: unknown): string | undefined {
  const sha256 = typeof value === 'string' ? value.toLowerCase() : undefined;
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256))
    throw new Error(`${field}: ${String(value)} is not a sha256 checksum`);
  return sha256;
}

/**
 * How a module without a checksum is pulled (Envoy Gateway's Wasm cache getEntry): `pullPolicy`,
 * by default Always for an image tagged `latest` and IfNotPresent otherwise; with Always, a
 * version that changes with the policy's spec (Envoy Gateway re-pulls when the policy's
 * resourceVersion changes; a spec hash holds for file-provided policies too).
 */
function pullSettings(
  code: Obj,
  url: string,
  sha256: string | undefined,
  policySpec: Obj,
): Pick<WasmModule['code'], 'pullPolicy' | 'pullVersion'> {
  if (sha256 !== undefined) return {};
  const latest = code.type === 'Image' && url.endsWith(':latest');
  const policy =
    code.pullPolicy === 'Always' || code.pullPolicy === 'IfNotPresent'
      ? code.pullPolicy
      : latest
        ? 'Always'
        : 'IfNotPresent';
  if (policy === 'IfNotPresent') return { pullPolicy: policy };
  const version = createHash('sha256').update(JSON.stringify(policySpec)).digest('hex');
  return { pullPolicy: policy, pullVersion: version.slice(0, 16) };
}

/** Where a `wasm` entry's code comes from: an HTTP(S) URL or an OCI image. */
function wasmCode(
  ctx: TranslatorContext,
  policy: PolicyRef,
  field: string,
  code: Obj | undefined,
  policySpec: Obj,
): WasmModule['code'] {
  const http = obj(code?.http);
  if (code?.type === 'HTTP' && http && typeof http.url === 'string') {
    const sha256 = checksum(`${field}.http.sha256`, http.sha256);
    const ca = sourceCa(ctx, policy, `${field}.http`, obj(http.tls));
    return {
      url: http.url,
      ...(sha256 ? { sha256 } : {}),
      ...(ca ? { ca } : {}),
      ...pullSettings(code, http.url, sha256, policySpec),
    };
  }
  const image = obj(code?.image);
  if (code?.type === 'Image' && image && typeof image.url === 'string') {
    // The sha256 of an image is its manifest's digest (Envoy Gateway's ImageWasmCodeSource).
    const sha256 = checksum(`${field}.image.sha256`, image.sha256);
    const ca = sourceCa(ctx, policy, `${field}.image`, obj(image.tls));
    const secretRef = obj(image.pullSecretRef);
    const secret = secretRef ? pullSecret(ctx, policy, `${field}.image`, secretRef) : undefined;
    return {
      type: 'Image',
      url: image.url,
      ...(sha256 ? { sha256 } : {}),
      ...(ca ? { ca } : {}),
      ...(secret ? { pullSecret: secret } : {}),
      ...pullSettings(code, image.url, sha256, policySpec),
    };
  }
  throw new Error(`${field}: an HTTP source (http.url) or an Image source (image.url) is required`);
}

/**
 * One `wasm` entry: the source the control plane fetches (its Wasm cache), the plugin's config
 * as JSON text, failOpen and the host environment keys.
 */
function wasm(
  ctx: TranslatorContext,
  policy: PolicyRef,
  key: string,
  spec: Obj,
  index: number,
  policySpec: Obj,
): WasmModule {
  const field = `wasm[${index}]`;
  return {
    name: `${key}/wasm/${index}`,
    ...(typeof spec.rootID === 'string' ? { rootId: spec.rootID } : {}),
    code: wasmCode(ctx, policy, `${field}.code`, obj(spec.code), policySpec),
    ...(spec.config === undefined || spec.config === null
      ? {}
      : { config: JSON.stringify(spec.config) }),
    failOpen: spec.failOpen === true,
    hostKeys: strings(obj(spec.env)?.hostKeys),
  };
}

/**
 * One `dynamicModule` entry: the module as the Gateway's EnvoyProxy registers it, the filter
 * implementation it runs and its configuration (Envoy Gateway's buildDynamicModules).
 */
function dynamicModule(
  key: string,
  scope: PolicyScope,
  spec: Obj,
  index: number,
): DynamicModuleFilter {
  const source = registeredModule(scope.gateway.envoyProxy, String(spec.name));
  if (typeof source === 'string') throw new Error(`dynamicModule[${index}]: ${source}`);
  const config = moduleConfig(spec.config);
  return {
    name: `${key}/dynamic-module/${index}`,
    source,
    filterName: typeof spec.filterName === 'string' ? spec.filterName : '',
    ...(config === undefined ? {} : { config }),
    terminalFilter: spec.terminalFilter === true,
  };
}

/** The policy's extensions on `scope`'s Gateway, or why it cannot run there. */
export function envoyExtensionPolicyIR(
  ctx: TranslatorContext,
  policy: PolicyRef,
  spec: Obj,
  scope: PolicyScope,
): { extensions?: ExtensionsIR; problem?: string } {
  const key = `${policy.namespace}/${policy.name}`;
  const lua: LuaScript[] = [];
  for (const [i, entry] of list(spec.lua).entries()) {
    const code = luaSource(ctx, policy, entry);
    if (code instanceof Error) return { problem: `lua[${i}].${code.message}` };
    const problem = luaScriptProblem(code, luaValidation(scope), luaSandbox(scope));
    if (problem) return { problem: `lua[${i}]: ${problem}` };
    const context = obj(entry.filterContext);
    lua.push({ name: `${key}/lua/${i}`, code, ...(context ? { filterContext: context } : {}) });
  }
  const processors: ExtProc[] = [];
  for (const [i, entry] of list(spec.extProc).entries()) {
    try {
      processors.push(extProc(ctx, policy, entry, i, scope.gateway.envoyProxy));
    } catch (error) {
      return { problem: (error as Error).message };
    }
  }
  const modules: WasmModule[] = [];
  for (const [i, entry] of list(spec.wasm).entries()) {
    try {
      modules.push(wasm(ctx, policy, key, entry, i, spec));
    } catch (error) {
      return { problem: (error as Error).message };
    }
  }
  const dynamicModules: DynamicModuleFilter[] = [];
  for (const [i, entry] of list(spec.dynamicModule).entries()) {
    try {
      dynamicModules.push(dynamicModule(key, scope, entry, i));
    } catch (error) {
      return { problem: (error as Error).message };
    }
  }
  const empty =
    lua.length === 0 &&
    processors.length === 0 &&
    modules.length === 0 &&
    dynamicModules.length === 0;
  return empty
    ? {}
    : {
        extensions: {
          policy: key,
          lua,
          extProc: processors,
          ...(modules.length > 0 ? { wasm: modules } : {}),
          ...(dynamicModules.length > 0 ? { dynamicModules } : {}),
        },
      };
}

/**
 * What a route policy with a mergeType runs merged onto the broader one (Envoy Gateway merges
 * the two specs; the route's fields win): built once per pair and Gateway, under a name of its
 * own (`<policy>/merged/<broader namespace>/<broader name>`) so its filters do not clash.
 */
function mergedExtensions(
  ctx: TranslatorContext,
  policy: AppliedPolicy,
  onto: AppliedPolicy,
): ExtensionsIR | undefined {
  const namespace = policy.policy.metadata.namespace ?? 'default';
  const ontoKey = `${onto.policy.metadata.namespace ?? 'default'}/${onto.policy.metadata.name}`;
  const name = `${policy.policy.metadata.name}/merged/${ontoKey}`;
  const key = `${namespace}/${name}|${policy.scope.gateway.key}`;
  const known = ctx.envoyExtensionPolicyIR.get(key);
  if (known) return known;
  const spec = jsonMergePatch(policySettings(onto), policySettings(policy)) as Obj;
  const built = envoyExtensionPolicyIR(
    ctx,
    { kind: 'EnvoyExtensionPolicy', namespace, name },
    spec,
    policy.scope,
  );
  if (built.extensions) ctx.envoyExtensionPolicyIR.set(key, built.extensions);
  return built.extensions;
}

const accepted = (a: AppliedPolicy | undefined): a is AppliedPolicy =>
  a?.ancestor.conditions.get('Accepted')?.status === 'True';

/**
 * Adds the extensions of the policy extending the route (accepted there), if any, in place
 * (`ir` is the caller's own copy, see applyBackendTraffic).
 */
export function applyExtensionPolicy(
  ctx: TranslatorContext,
  ir: HTTPRouteIR,
  effective: { readonly policy: AppliedPolicy; readonly mergedOnto?: AppliedPolicy } | undefined,
): void {
  const applied = effective?.policy;
  if (!accepted(applied)) return;
  const onto = effective?.mergedOnto;
  if (accepted(onto)) {
    const merged = mergedExtensions(ctx, applied, onto);
    if (merged) ir.extensions = merged;
    return;
  }
  const { namespace = 'default', name } = applied.policy.metadata;
  const extensions = ctx.envoyExtensionPolicyIR.get(
    `${namespace}/${name}|${applied.scope.gateway.key}`,
  );
  if (extensions) ir.extensions = extensions;
}
