// Dynamic modules a policy names, resolved against the registry of the Gateway's EnvoyProxy
// (`spec.dynamicModules`), as Envoy Gateway's buildDynamicModules does: a name the EnvoyProxy does
// not register, or a registered entry whose source is incomplete, rejects the policy there.
import type { DynamicModuleSource, LoadBalancer } from '@egts/ir';
import { list, type Obj, obj } from './validation/policyValues.js';

/** Envoy Gateway's validateDynamicModuleRemoteURL: an http(s) URL with a host and numeric port. */
function remoteUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `unsupported URL scheme "${url.protocol.slice(0, -1)}"`;
  return url.hostname === '' ? 'URL must include a hostname' : undefined;
}

/** The source of the module `name` registered by `envoyProxy`, or why it cannot be loaded. */
export function registeredModule(envoyProxy: unknown, name: string): DynamicModuleSource | string {
  const spec = obj((envoyProxy as { spec?: unknown } | undefined)?.spec);
  const entry = list(spec?.dynamicModules).find((m) => m.name === name);
  if (!entry)
    return `dynamic module "${name}" is not registered in the EnvoyProxy dynamicModules allowlist`;
  const source = obj(entry.source);
  const flags = {
    doNotClose: entry.doNotClose === true,
    loadGlobally: entry.loadGlobally === true,
  };
  if (source?.type === 'Remote') {
    const remote = obj(source.remote);
    if (!remote) return `dynamic module "${name}" has no remote source configured`;
    const url = typeof remote.url === 'string' ? remote.url : '';
    if (url === '') return `dynamic module "${name}" has no remote source URL configured`;
    const sha256 = typeof remote.sha256 === 'string' ? remote.sha256 : '';
    if (sha256 === '') return `dynamic module "${name}" has no remote source SHA256 configured`;
    const problem = remoteUrlProblem(url);
    if (problem)
      return `dynamic module "${name}" has invalid remote source URL "${url}": ${problem}`;
    return { url, sha256, ...flags };
  }
  const local = obj(source?.local);
  if (!local || typeof local.path !== 'string')
    return `dynamic module "${name}" has no local source configured`;
  return { path: local.path, ...flags };
}

/** A module's `config` as the JSON text Envoy hands the module (a StringValue), if set. */
export const moduleConfig = (config: unknown): string | undefined =>
  config === undefined || config === null ? undefined : JSON.stringify(config);

type ModuleLoadBalancer = NonNullable<LoadBalancer['dynamicModule']>;

/**
 * BackendTrafficPolicy `loadBalancer.dynamicModule` as the policy names it; where the module comes
 * from is the Gateway's EnvoyProxy's to say (withRegisteredModule), once the route's Gateway is known.
 */
export function moduleLoadBalancer(lb: Obj | undefined): ModuleLoadBalancer | undefined {
  if (!lb || typeof lb.name !== 'string') return undefined;
  const config = moduleConfig(lb.config);
  return {
    module: lb.name,
    lbPolicyName: typeof lb.lbPolicyName === 'string' ? lb.lbPolicyName : '',
    ...(config === undefined ? {} : { config }),
    doNotClose: false,
    loadGlobally: false,
  };
}

const resolved = new WeakMap<object, WeakMap<object, unknown>>();

/**
 * `traffic` with its dynamic module load balancer's source from `envoyProxy`'s registry: the same
 * object for the same pair (so destinations shaped by it stay shared), `traffic` itself when it
 * names no module. The policy was refused on Gateways whose EnvoyProxy lacks the module
 * (validateBackendTrafficPolicy), so the lookup finds it.
 */
export function withRegisteredModule<T extends { loadBalancer?: LoadBalancer | undefined }>(
  traffic: T,
  envoyProxy: unknown,
): T {
  const lb = traffic.loadBalancer;
  const module = lb?.dynamicModule;
  if (lb === undefined || module === undefined) return traffic;
  const key = (envoyProxy ?? resolved) as object;
  let byProxy = resolved.get(traffic);
  if (byProxy === undefined) {
    byProxy = new WeakMap();
    resolved.set(traffic, byProxy);
  }
  const known = byProxy.get(key) as T | undefined;
  if (known) return known;
  const source = registeredModule(envoyProxy, module.module);
  const out =
    typeof source === 'string'
      ? traffic
      : { ...traffic, loadBalancer: { ...lb, dynamicModule: { ...module, ...source } } };
  byProxy.set(key, out);
  return out;
}
