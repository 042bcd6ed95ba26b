// A fleet's xDS resources through the extension server's hooks, where and as Envoy Gateway calls
// them (internal/xds/translator: translator.go, extension.go):
// - PostRouteModify: each route built from a rule with extensionRef filters of the extension's
//   kinds or targeted by its policies, with those objects and the virtual host's domains;
// - PostVirtualHostModify: every virtual host (after its routes);
// - PostHTTPListenerModify: every listener, with the extension policies targeting it;
// - PostTranslateModify: last, the clusters and secrets (listeners and routes too when
//   `translation.listener/route.includeAll`), with every extension policy of the fleet; the lists
//   it returns replace those it was sent.
// - PostClusterModify: each cluster of a route destination with custom backends (backendRefs of
//   `backendResources` kinds), with those objects as its backend extension resources (between
//   the route and listener hooks; Envoy Gateway calls it as it builds the route's cluster).
// - PostEndpointsModify: each ClusterLoadAssignment (EDS), with no context, after the cluster
//   hook (Envoy Gateway v1.8's `Endpoints` hook). egts sends every Gateway update, endpoint-only
//   ones included, through the hooks, so an endpoint change reaches it too.
// EnvoyPatchPolicies apply between the listener and translation hooks, as in Envoy Gateway: the
// resources given must be translated from `unpatched(ir)`.
// A hook's unset answer leaves the resource as it was. Errors are collected, per resource: the
// caller decides (failOpen) whether they stop the update. Inputs are never mutated.
import type { ExtensionManager, XdsTranslatorHook } from '@egts/api';
import type {
  Cluster,
  ClusterLoadAssignment,
  ExtensionResource,
  Listener,
  Route,
  RouteConfiguration,
  VirtualHost,
} from '@egts/envoy-api';
import type { ExtensionObject, HTTPRouteIR, XdsIR } from '@egts/ir';
import { applyEnvoyPatches, type XdsResources } from '@egts/xds-translator';
import type { ExtensionClient } from './extensionClient.js';

export interface ExtendResult {
  readonly resources: XdsResources;
  /** One message per failed hook call, naming the hook and the resource. */
  readonly errors: readonly string[];
}

const toExtensionResource = (object: ExtensionObject): ExtensionResource => ({
  unstructuredBytes: Buffer.from(JSON.stringify(object)),
});

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The hooks `manager` subscribes to (`hooks.xdsTranslator.post`). */
export const postHooks = (manager: ExtensionManager): ReadonlySet<XdsTranslatorHook> =>
  new Set(manager.hooks.xdsTranslator?.post ?? []);

export async function extendXds(
  client: ExtensionClient,
  manager: ExtensionManager,
  ir: XdsIR,
  input: XdsResources,
): Promise<ExtendResult> {
  const hooks = postHooks(manager);
  const errors: string[] = [];
  const attempt = async <T>(what: string, call: () => Promise<T | undefined>) => {
    try {
      return await call();
    } catch (error) {
      errors.push(`${what}: ${errorText(error)}`);
      return undefined;
    }
  };
  let resources = input;
  if (hooks.has('Route') || hooks.has('VirtualHost')) {
    const routes = await Promise.all(
      resources.routes.map((config) =>
        modifyRouteConfiguration(config, ir, hooks, client, attempt),
      ),
    );
    resources = { ...resources, routes };
  }
  if (hooks.has('Cluster')) {
    const custom = customBackendClusters(ir);
    if (custom.size > 0) {
      const clusters = await Promise.all(
        resources.clusters.map(async (cluster: Cluster) => {
          const objects = custom.get(cluster.name);
          if (objects === undefined) return cluster;
          const answer = await attempt(`PostClusterModify ${cluster.name}`, () =>
            client.postClusterModify({
              cluster,
              postClusterContext: {
                backendExtensionResources: objects.map(toExtensionResource),
              },
            }),
          );
          return answer?.cluster ?? cluster;
        }),
      );
      resources = { ...resources, clusters };
    }
  }
  if (hooks.has('Endpoints')) {
    const endpoints = await Promise.all(
      resources.endpoints.map(async (loadAssignment: ClusterLoadAssignment) => {
        const answer = await attempt(`PostEndpointsModify ${loadAssignment.clusterName}`, () =>
          client.postEndpointsModify({ loadAssignment, postEndpointsContext: {} }),
        );
        return answer?.loadAssignment ?? loadAssignment;
      }),
    );
    resources = { ...resources, endpoints };
  }
  if (hooks.has('HTTPListener')) {
    const listeners = await Promise.all(
      resources.listeners.map(async (listener) => {
        const policies = listenerPolicies(ir, listener);
        const answer = await attempt(`PostHTTPListenerModify ${listener.name}`, () =>
          client.postHTTPListenerModify({
            listener,
            postListenerContext: { extensionResources: policies.map(toExtensionResource) },
          }),
        );
        return answer?.listener ?? listener;
      }),
    );
    resources = { ...resources, listeners };
  }
  // Envoy Gateway patches (EnvoyPatchPolicy) after the listener hook, before the translation hook.
  resources = withPatches(ir, resources);
  if (hooks.has('Translation')) {
    resources = await translationHook(client, manager, ir, resources, attempt);
  }
  return { resources, errors };
}

/**
 * The fleet's IR without its EnvoyPatchPolicies, one object per IR: what to translate when the
 * hooks run, since the patches apply to what the hooks made (extendXds applies them).
 */
export function unpatched(ir: XdsIR): XdsIR {
  if (ir.envoyPatchPolicies === undefined) return ir;
  let out = unpatchedIRs.get(ir);
  if (out === undefined) {
    const { envoyPatchPolicies: _patches, ...rest } = ir;
    out = rest;
    unpatchedIRs.set(ir, out);
  }
  return out;
}
const unpatchedIRs = new WeakMap<XdsIR, XdsIR>();

/** `resources` with the IR's EnvoyPatchPolicies applied, and their outcomes. */
export function withPatches(ir: XdsIR, resources: XdsResources): XdsResources {
  const policies = ir.envoyPatchPolicies ?? [];
  if (policies.length === 0) return resources;
  const patched = applyEnvoyPatches(resources, policies);
  return { ...patched.resources, envoyPatchPolicies: patched.outcomes };
}

type Attempt = <T>(what: string, call: () => Promise<T | undefined>) => Promise<T | undefined>;

/**
 * IR routes with extension filters or targeted by extension policies, by name (the Envoy
 * route's name is the IR route's).
 */
function extensionRoutes(ir: XdsIR): Map<string, HTTPRouteIR> {
  const out = new Map<string, HTTPRouteIR>();
  for (const listener of ir.http)
    for (const route of listener.routes)
      if ((route.extensionRefs ?? []).length > 0 || (route.extensionPolicies ?? []).length > 0)
        out.set(route.name, route);
  return out;
}

/**
 * The clusters of route destinations that name custom backends, by cluster name, with the
 * objects each serves: a destination's own cluster carries all of its custom backends, a
 * per-backend cluster (weighted split) its own.
 */
function customBackendClusters(ir: XdsIR): Map<string, ExtensionObject[]> {
  const out = new Map<string, ExtensionObject[]>();
  const add = (name: string, objects: ExtensionObject[]) => {
    const seen = out.get(name) ?? [];
    for (const object of objects) if (!seen.includes(object)) seen.push(object);
    out.set(name, seen);
  };
  for (const listener of ir.http)
    for (const route of listener.routes) {
      const destination = route.destination;
      if (destination === undefined) continue;
      const objects: ExtensionObject[] = [];
      for (const setting of destination.settings)
        if (setting.customBackend !== undefined && setting.weight > 0) {
          objects.push(setting.customBackend);
          add(setting.name, [setting.customBackend]);
        }
      if (objects.length > 0) add(destination.name, objects);
    }
  return out;
}

async function modifyRouteConfiguration(
  config: RouteConfiguration,
  ir: XdsIR,
  hooks: ReadonlySet<XdsTranslatorHook>,
  client: ExtensionClient,
  attempt: Attempt,
): Promise<RouteConfiguration> {
  const withRefs = hooks.has('Route') ? extensionRoutes(ir) : new Map<string, HTTPRouteIR>();
  const virtualHosts = await Promise.all(
    config.virtualHosts.map(async (host) => {
      let vh: VirtualHost = host;
      if (withRefs.size > 0) {
        const routes = await Promise.all(
          vh.routes.map(async (route: Route) => {
            const irRoute = withRefs.get(route.name);
            if (irRoute === undefined) return route;
            const answer = await attempt(`PostRouteModify ${route.name}`, () =>
              client.postRouteModify({
                route,
                postRouteContext: {
                  extensionResources: (irRoute.extensionRefs ?? []).map(toExtensionResource),
                  hostnames: [...vh.domains],
                  extensionPolicies: (irRoute.extensionPolicies ?? []).map(toExtensionResource),
                },
              }),
            );
            return answer?.route ?? route;
          }),
        );
        vh = { ...vh, routes };
      }
      if (!hooks.has('VirtualHost')) return vh;
      const current = vh;
      const answer = await attempt(`PostVirtualHostModify ${vh.name}`, () =>
        client.postVirtualHostModify({ virtualHost: current, postVirtualHostContext: {} }),
      );
      return answer?.virtualHost ?? vh;
    }),
  );
  return { ...config, virtualHosts };
}

/**
 * The extension policies targeting the IR listeners an xDS listener serves (those on its port),
 * each once, as Envoy Gateway's findIRListenersByXDSListener matches them.
 */
function listenerPolicies(ir: XdsIR, listener: Listener): ExtensionObject[] {
  const port = listener.address?.socketAddress?.portValue;
  const names = new Set(
    [...ir.http, ...ir.tcp, ...ir.udp].filter((l) => l.port === port).map((l) => l.name),
  );
  return (ir.extensionServerPolicies ?? [])
    .filter((p) => p.listeners.some((name) => names.has(name)))
    .map((p) => p.object);
}

async function translationHook(
  client: ExtensionClient,
  manager: ExtensionManager,
  ir: XdsIR,
  resources: XdsResources,
  attempt: Attempt,
): Promise<XdsResources> {
  // Envoy Gateway's TranslationConfig: clusters and secrets by default, listeners and routes
  // only when asked.
  const config = manager.hooks.xdsTranslator?.translation;
  const include = {
    clusters: config?.cluster?.includeAll ?? true,
    secrets: config?.secret?.includeAll ?? true,
    listeners: config?.listener?.includeAll ?? false,
    routes: config?.route?.includeAll ?? false,
  };
  const answer = await attempt(`PostTranslateModify ${ir.name}`, () =>
    client.postTranslateModify({
      postTranslateContext: {
        extensionResources: (ir.extensionServerPolicies ?? []).map((p) =>
          toExtensionResource(p.object),
        ),
      },
      clusters: include.clusters ? resources.clusters : [],
      secrets: include.secrets ? resources.secrets : [],
      listeners: include.listeners ? resources.listeners : [],
      routes: include.routes ? resources.routes : [],
    }),
  );
  if (answer === undefined) return resources;
  return {
    ...resources,
    ...(include.clusters ? { clusters: answer.clusters } : {}),
    ...(include.secrets ? { secrets: answer.secrets } : {}),
    ...(include.listeners ? { listeners: answer.listeners } : {}),
    ...(include.routes ? { routes: answer.routes } : {}),
  };
}
