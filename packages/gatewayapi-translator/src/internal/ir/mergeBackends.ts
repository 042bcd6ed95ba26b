// EnvoyProxy `mergeBackends` (Envoy Gateway v1.6+): routes that reach the same backend (kind,
// namespace, name, port) share one cluster, named `backend/<kind>/<namespace>/<name>[/<port>]`,
// instead of one cluster per route rule. A backend is shared only when every route reaching it
// would build the same cluster from it (endpoints, protocol, TLS, BackendTrafficPolicy and
// listener settings): when they differ, none shares and each keeps its own (Envoy Gateway's
// "demerge"). Never shared: dynamic resolvers and custom backends, fallback backends (their
// priorities live in one cluster), several backends of a TCP or UDP route (one cluster there),
// and several backends of an HTTP route hashed consistently or with session persistence (a split
// across clusters breaks both).
//
// The decision is the last step of a fleet's IR and a function of that IR alone
// (mergeBackendClusters): settings carry their backend's key (`mergeKey`) and the decision
// (`cluster`), which it recomputes from scratch. The incremental paths splice routes translated
// on their own, whose decisions saw only themselves, into the previous IR: running it again on
// the result makes the whole consistent, as a full translation decides (createTranslator).
import type { EnvoyProxy } from '@egts/api';
import type {
  DestinationSetting,
  HTTPListener,
  HTTPRouteIR,
  RouteDestination,
  TCPListener,
  UDPListener,
  XdsIR,
} from '@egts/ir';
import type { SettingBackend, TranslatorContext } from '../context/translatorContext.js';
import { selectorMatches } from '../labelSelector.js';
import { nsName } from '../types.js';
import { canonicalJson, contentDigest } from './contentDigest.js';

/** The shared cluster's name for a backend, as Envoy Gateway names it. */
export const mergeKeyOf = (backend: SettingBackend): string =>
  `backend/${backend.kind.toLowerCase()}/${backend.namespace}/${backend.name}${
    backend.port === undefined ? '' : `/${backend.port}`
  }`;

const labelsOf = (ctx: TranslatorContext, backend: SettingBackend): Record<string, string> => {
  const key = nsName(backend.namespace, backend.name);
  const object =
    backend.kind === 'Backend'
      ? ctx.backends.get(key)
      : backend.kind === 'ServiceImport'
        ? ctx.serviceImports.get(key)
        : ctx.services.get(key);
  return (object?.metadata.labels ?? {}) as Record<string, string>;
};

/**
 * The fleet's IR with its backends' clusters merged as its EnvoyProxy asks (`mergeBackends`,
 * whose selector picks the backends by their Service, ServiceImport or Backend labels).
 */
export function withMergedBackends(
  ctx: TranslatorContext,
  ir: XdsIR,
  envoyProxy: EnvoyProxy | undefined,
): XdsIR {
  const merge = envoyProxy?.spec.mergeBackends;
  if (merge === undefined) return ir;
  const selector = merge.selector;
  const keyOf = (setting: DestinationSetting): string | undefined => {
    const backend = ctx.settingBackends.get(setting.name);
    if (backend === undefined) return undefined;
    if (selector !== undefined && !selectorMatches(selector, labelsOf(ctx, backend)))
      return undefined;
    return mergeKeyOf(backend);
  };
  return mergeBackendClusters({ ...ir, mergeBackends: true }, keyOf);
}

type KeyOf = (setting: DestinationSetting) => string | undefined;

/** Setting fields that go to the route (its weighted cluster entry), not to the cluster. */
const ROUTE_SIDE = new Set([
  'name',
  'weight',
  'requestHeaders',
  'responseHeaders',
  'hostRewrite',
  'credentialInjection',
  'mergeKey',
  'cluster',
]);
/** Destination fields that are not the clusters' settings. */
const NOT_CLUSTER = new Set(['name', 'settings', 'invalidWeight']);

const pick = (object: object, leave: ReadonlySet<string>) =>
  Object.fromEntries(Object.entries(object).filter(([key]) => !leave.has(key)));

/** Per destination: a digest of the cluster each of its settings would build (by index). */
const digests = new WeakMap<RouteDestination, string[]>();

/** What the cluster of `destination`'s setting `index` is made of, as a digest. */
const clusterDigest = (destination: RouteDestination, index: number): string => {
  let known = digests.get(destination);
  if (known === undefined) {
    known = [];
    digests.set(destination, known);
  }
  let digest = known[index];
  if (digest === undefined) {
    const text = canonicalJson({
      traffic: pick(destination, NOT_CLUSTER),
      setting: pick(destination.settings[index]!, ROUTE_SIDE),
    });
    digest = contentDigest(text);
    known[index] = digest;
  }
  return digest;
};

/** Whether a destination's backends may have clusters of their own, shared with other routes. */
const mayShare = (destination: RouteDestination, splitsOk: boolean): boolean =>
  destination.settings.every((s) => (s.priority ?? 0) === 0) &&
  ((destination.settings.length <= 1 && (destination.invalidWeight ?? 0) === 0) || splitsOk);

const shareable = (setting: DestinationSetting) =>
  setting.weight > 0 && setting.dynamicResolver !== true && setting.customBackend === undefined;

/** An HTTP route's: consistent hashing and session persistence pick a host in one cluster. */
const httpMayShare = (route: HTTPRouteIR): boolean => {
  const destination = route.destination;
  if (destination === undefined) return false;
  const lb = destination.loadBalancer;
  const hashed = lb?.type === 'ConsistentHash' || lb?.consistentHash !== undefined;
  return mayShare(destination, !hashed && route.sessionPersistence === undefined);
};

/** Every route destination of an IR with whether its backends may be shared (mirrors never are). */
const forEachDestination = (
  ir: XdsIR,
  visit: (destination: RouteDestination, mayShare: boolean) => void,
): void => {
  for (const listener of ir.http) {
    for (const route of listener.routes) {
      if (route.destination !== undefined) visit(route.destination, httpMayShare(route));
    }
  }
  // A TCP or UDP route forwards to one cluster: only a single backend can be shared.
  for (const listener of ir.tcp) {
    for (const route of listener.routes)
      visit(route.destination, mayShare(route.destination, false));
  }
  for (const listener of ir.udp) {
    if (listener.route !== undefined)
      visit(listener.route.destination, mayShare(listener.route.destination, false));
  }
};

const annotated = (
  setting: DestinationSetting,
  mergeKey: string | undefined,
  cluster: string | undefined,
): DestinationSetting => {
  const { mergeKey: _key, cluster: _cluster, ...rest } = setting;
  return {
    ...rest,
    ...(mergeKey === undefined ? {} : { mergeKey }),
    ...(cluster === undefined ? {} : { cluster }),
  };
};

/**
 * `ir` with each setting's `cluster` decided again from the settings' `mergeKey`s (or `keyOf`):
 * the backends whose every route builds the same cluster share it. Idempotent; what it need not
 * change keeps its object (`ir` itself when nothing changes). A fleet that does not merge
 * backends is returned as it is.
 */
export function mergeBackendClusters(
  ir: XdsIR,
  keyOf: KeyOf = (setting) => setting.mergeKey,
): XdsIR {
  if (ir.mergeBackends !== true) return ir;
  // Per key: the digest of the cluster its first route builds, or null once two differ.
  const agreed = new Map<string, string | null>();
  forEachDestination(ir, (destination, may) => {
    if (!may) return;
    destination.settings.forEach((setting, i) => {
      const key = keyOf(setting);
      if (key === undefined || !shareable(setting)) return;
      const digest = clusterDigest(destination, i);
      const known = agreed.get(key);
      if (known === undefined) agreed.set(key, digest);
      else if (known !== null && known !== digest) agreed.set(key, null);
    });
  });

  const done = new Map<RouteDestination, RouteDestination>();
  const decide = (destination: RouteDestination, may: boolean): RouteDestination => {
    const known = done.get(destination);
    if (known !== undefined) return known;
    let changed = false;
    const settings = destination.settings.map((setting) => {
      const key = keyOf(setting);
      const shared =
        may && key !== undefined && shareable(setting) && typeof agreed.get(key) === 'string';
      const cluster = shared ? key : undefined;
      if (setting.mergeKey === key && setting.cluster === cluster) return setting;
      changed = true;
      return annotated(setting, key, cluster);
    });
    const out = changed ? { ...destination, settings } : destination;
    done.set(destination, out);
    return out;
  };

  const http = mapChanged(ir.http, (listener: HTTPListener) => {
    const routes = mapChanged(listener.routes, (route: HTTPRouteIR) => {
      if (route.destination === undefined) return route;
      const destination = decide(route.destination, httpMayShare(route));
      return destination === route.destination ? route : { ...route, destination };
    });
    return routes === listener.routes ? listener : { ...listener, routes };
  });
  const tcp = mapChanged(ir.tcp, (listener: TCPListener) => {
    const routes = mapChanged(listener.routes, (route) => {
      const destination = decide(route.destination, mayShare(route.destination, false));
      return destination === route.destination ? route : { ...route, destination };
    });
    return routes === listener.routes ? listener : { ...listener, routes };
  });
  const udp = mapChanged(ir.udp, (listener: UDPListener) => {
    const route = listener.route;
    if (route === undefined) return listener;
    const destination = decide(route.destination, mayShare(route.destination, false));
    return destination === route.destination
      ? listener
      : { ...listener, route: { ...route, destination } };
  });
  return http === ir.http && tcp === ir.tcp && udp === ir.udp ? ir : { ...ir, http, tcp, udp };
}

/** `list` mapped, or `list` itself when every element maps to itself. */
function mapChanged<T>(list: T[], f: (item: T) => T): T[] {
  let out: T[] | undefined;
  list.forEach((item, i) => {
    const next = f(item);
    if (next !== item && out === undefined) out = list.slice(0, i);
    if (out !== undefined) out.push(next);
  });
  return out ?? list;
}
