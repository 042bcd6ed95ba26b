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
  /** One message per failed hook call, naming the hook and the resource (and the extension). */
  readonly errors: readonly string[];
  /** Those of `errors` from extensions that do not fail open: they fail the update. */
  readonly fatal: readonly string[];
}

/**
 * One extension of a chain (EnvoyGateway `extensionManagers`): its client, its settings and its
 * name (prefixed to its errors when set).
 */
export interface HookTarget {
  readonly client: ExtensionClient;
  readonly manager: ExtensionManager;
  readonly name?: string | undefined;
}

const toExtensionResource = (object: ExtensionObject): ExtensionResource => ({
  unstructuredBytes: Buffer.from(JSON.stringify(object)),
});

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The hooks `manager` subscribes to (`hooks.xdsTranslator.post`). */
export const postHooks = (manager: ExtensionManager): ReadonlySet<XdsTranslatorHook> =>
  new Set(manager.hooks.xdsTranslator?.post ?? []);

type Kinds = ReadonlySet<string>;
const kindsOf = (gvks: readonly { group: string; kind: string }[]): Kinds =>
  new Set(gvks.map((gvk) => `${gvk.group}/${gvk.kind}`));
const groupOf = (object: ExtensionObject) => {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
};
/**
 * `objects` of `kinds` (group and kind; version ignored), all when `kinds` is empty: what one
 * extension of a chain is handed, as Envoy Gateway's filterResourcesByGK.
 */
const ofKinds = (objects: readonly ExtensionObject[], kinds: Kinds): ExtensionObject[] =>
  kinds.size === 0
    ? [...objects]
    : objects.filter((o) => kinds.has(`${groupOf(o)}/${String(o.kind ?? '')}`));

interface Link {
  readonly client: ExtensionClient;
  readonly manager: ExtensionManager;
  readonly name: string | undefined;
  readonly hooks: ReadonlySet<XdsTranslatorHook>;
  /** `resources` and `backendResources`: route and cluster hook context. */
  readonly resourceKinds: Kinds;
  /** `policyResources`: listener, route-policy and translation hook context. */
  readonly policyKinds: Kinds;
}

/** One extension's hooks on `input`: extendXdsChain with a chain of one. */
export function extendXds(
  client: ExtensionClient,
  manager: ExtensionManager,
  ir: XdsIR,
  input: XdsResources,
): Promise<ExtendResult> {
  return extendXdsChain([{ client, manager }], ir, input);
}

/**
 * The hooks of a chain of extensions, as Envoy Gateway's composite hook client: at each hook
 * point, each extension subscribed to it is called in the chain's order on what the previous
 * one returned; a failed call of one that fails open leaves the resource as it was for the next
 * one, a failed call of one that does not ends the chain there. Each extension
 * gets only the extension objects of its own kinds (all when it declares none), and its own
 * translation settings decide which resource lists it is sent and which it may replace.
 */
export async function extendXdsChain(
  targets: readonly HookTarget[],
  ir: XdsIR,
  input: XdsResources,
): Promise<ExtendResult> {
  const links: Link[] = targets.map((t) => ({
    client: t.client,
    manager: t.manager,
    name: t.name,
    hooks: postHooks(t.manager),
    resourceKinds: kindsOf([...(t.manager.resources ?? []), ...(t.manager.backendResources ?? [])]),
    policyKinds: kindsOf(t.manager.policyResources ?? []),
  }));
  const errors: string[] = [];
  const fatal: string[] = [];
  const chain: Chain = async (hook, what, value, call) => {
    let current = value;
    for (const link of links) {
      if (!link.hooks.has(hook)) continue;
      try {
        const answer = await call(link, current);
        if (answer !== undefined) current = answer;
      } catch (error) {
        const message = `${link.name !== undefined ? `extension ${link.name}: ` : ''}${what}: ${errorText(error)}`;
        errors.push(message);
        if (link.manager.failOpen === true) continue;
        // Envoy Gateway's composite hook client returns the error there: the extensions after
        // it are not called for this resource (the update fails).
        fatal.push(message);
        return current;
      }
    }
    return current;
  };
  const any = (hook: XdsTranslatorHook) => links.some((link) => link.hooks.has(hook));
  let resources = input;
  if (any('Route') || any('VirtualHost')) {
    const routes = await Promise.all(
      resources.routes.map((config) => modifyRouteConfiguration(config, ir, any, chain)),
    );
    resources = { ...resources, routes };
  }
  if (any('Cluster')) {
    const custom = customBackendClusters(ir);
    if (custom.size > 0) {
      const clusters = await Promise.all(
        resources.clusters.map(async (cluster: Cluster) => {
          const objects = custom.get(cluster.name);
          if (objects === undefined) return cluster;
          return chain(
            'Cluster',
            `PostClusterModify ${cluster.name}`,
            cluster,
            async (link, c) =>
              (
                await link.client.postClusterModify({
                  cluster: c,
                  postClusterContext: {
                    backendExtensionResources: ofKinds(objects, link.resourceKinds).map(
                      toExtensionResource,
                    ),
                  },
                })
              )?.cluster,
          );
        }),
      );
      resources = { ...resources, clusters };
    }
  }
  if (any('Endpoints')) {
    const endpoints = await Promise.all(
      resources.endpoints.map((loadAssignment: ClusterLoadAssignment) =>
        chain(
          'Endpoints',
          `PostEndpointsModify ${loadAssignment.clusterName}`,
          loadAssignment,
          async (link, la) =>
            (
              await link.client.postEndpointsModify({
                loadAssignment: la,
                postEndpointsContext: {},
              })
            )?.loadAssignment,
        ),
      ),
    );
    resources = { ...resources, endpoints };
  }
  if (any('HTTPListener')) {
    const listeners = await Promise.all(
      resources.listeners.map((listener) => {
        const policies = listenerPolicies(ir, listener);
        return chain(
          'HTTPListener',
          `PostHTTPListenerModify ${listener.name}`,
          listener,
          async (link, l) =>
            (
              await link.client.postHTTPListenerModify({
                listener: l,
                postListenerContext: {
                  extensionResources: ofKinds(policies, link.policyKinds).map(toExtensionResource),
                },
              })
            )?.listener,
        );
      }),
    );
    resources = { ...resources, listeners };
  }
  // Envoy Gateway patches (EnvoyPatchPolicy) after the listener hook, before the translation hook.
  resources = withPatches(ir, resources);
  if (any('Translation')) {
    resources = await chain('Translation', `PostTranslateModify ${ir.name}`, resources, (link, r) =>
      translationHook(link, ir, r),
    );
  }
  return { resources, errors, fatal };
}

type Chain = <T>(
  hook: XdsTranslatorHook,
  what: string,
  value: T,
  call: (link: Link, current: T) => Promise<T | undefined>,
) => Promise<T>;

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
  any: (hook: XdsTranslatorHook) => boolean,
  chain: Chain,
): Promise<RouteConfiguration> {
  const withRefs = any('Route') ? extensionRoutes(ir) : new Map<string, HTTPRouteIR>();
  const virtualHosts = await Promise.all(
    config.virtualHosts.map(async (host) => {
      let vh: VirtualHost = host;
      if (withRefs.size > 0) {
        const routes = await Promise.all(
          vh.routes.map((route: Route) => {
            const irRoute = withRefs.get(route.name);
            if (irRoute === undefined) return route;
            return chain(
              'Route',
              `PostRouteModify ${route.name}`,
              route,
              async (link, r) =>
                (
                  await link.client.postRouteModify({
                    route: r,
                    postRouteContext: {
                      extensionResources: ofKinds(
                        irRoute.extensionRefs ?? [],
                        link.resourceKinds,
                      ).map(toExtensionResource),
                      hostnames: [...host.domains],
                      extensionPolicies: ofKinds(
                        irRoute.extensionPolicies ?? [],
                        link.policyKinds,
                      ).map(toExtensionResource),
                    },
                  })
                )?.route,
            );
          }),
        );
        vh = { ...vh, routes };
      }
      if (!any('VirtualHost')) return vh;
      return chain(
        'VirtualHost',
        `PostVirtualHostModify ${vh.name}`,
        vh,
        async (link, v) =>
          (await link.client.postVirtualHostModify({ virtualHost: v, postVirtualHostContext: {} }))
            ?.virtualHost,
      );
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
  link: Link,
  ir: XdsIR,
  resources: XdsResources,
): Promise<XdsResources | undefined> {
  // Envoy Gateway's TranslationConfig, the extension's own in a chain: clusters and secrets by
  // default, listeners and routes only when asked; only the lists it was sent are taken back.
  const config = link.manager.hooks.xdsTranslator?.translation;
  const include = {
    clusters: config?.cluster?.includeAll ?? true,
    secrets: config?.secret?.includeAll ?? true,
    listeners: config?.listener?.includeAll ?? false,
    routes: config?.route?.includeAll ?? false,
  };
  const policies = (ir.extensionServerPolicies ?? []).map((p) => p.object);
  const answer = await link.client.postTranslateModify({
    postTranslateContext: {
      extensionResources: ofKinds(policies, link.policyKinds).map(toExtensionResource),
    },
    clusters: include.clusters ? resources.clusters : [],
    secrets: include.secrets ? resources.secrets : [],
    listeners: include.listeners ? resources.listeners : [],
    routes: include.routes ? resources.routes : [],
  });
  if (answer === undefined) return undefined;
  return {
    ...resources,
    ...(include.clusters ? { clusters: answer.clusters } : {}),
    ...(include.secrets ? { secrets: answer.secrets } : {}),
    ...(include.listeners ? { listeners: answer.listeners } : {}),
    ...(include.routes ? { routes: answer.routes } : {}),
  };
}
