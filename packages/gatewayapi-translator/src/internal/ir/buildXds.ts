// xDS IR per Gateway from the ready listeners and the accepted routes attached to them. One IR
// listener per Gateway listener (the xds-translator merges those sharing a port into one Envoy
// listener); ports below 1024 shift by 10000 so proxies need no privilege.
import type { EnvoyProxy } from '@egts/api';
import type {
  HTTPListener,
  HTTPRouteIR,
  Redirect,
  RouteSource,
  TCPListener,
  TCPRouteIR,
  UDPListener,
  XdsIR,
} from '@egts/ir';
import type { ListenerContext } from '../context/listenerContext.js';
import type { AnyRouteContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { sortByAgeThenName } from '../ordering.js';
import {
  applyBackendTraffic,
  type BackendTrafficIndex,
  backendTrafficIndex,
} from '../policies/backendTrafficPolicyRoutes.js';
import {
  type ClientTrafficIndex,
  clientTrafficIndex,
  withClientTraffic,
  withClientTrafficTcp,
} from '../policies/clientTrafficListeners.js';
import { applyExtensionPolicy } from '../policies/envoyExtensionPolicyIR.js';
import { withAccessLog } from '../policies/envoyProxyAccessLog.js';
import { withHealthCheckLog } from '../policies/envoyProxyHealthCheckLog.js';
import { preservesRouteOrder, withEnvoyProxySettings } from '../policies/envoyProxySettings.js';
import { scopedToListener } from '../policies/globalRateLimitIR.js';
import {
  appliedPolicyIndex,
  applySecurityPolicy,
  type SecurityPolicyIndex,
  securityPolicyIndex,
  streamAuthorization,
} from '../policies/securityPolicyRoutes.js';
import { expandStatName, withClusterStats } from '../policies/statNames.js';
import { withTracing } from '../policies/tracingIR.js';
import { withFields } from '../withFields.js';
import { withBackendClientCertificate } from './backendClientCertificate.js';
import { withDistinctDestinations } from './distinctDestinations.js';
import type { ProxyFleet } from './fleets.js';
import { withMergedBackends } from './mergeBackends.js';
import { compareRouteOrder, compareRoutePrecedence, type RankedRoute } from './precedence.js';
import { withLocalCluster } from './proxyLocalCluster.js';

/**
 * The port Envoy listens on for a Gateway listener: below 1024 shifted by 10000 so proxies need no
 * privilege (Envoy Gateway), unless the EnvoyProxy asks for the listener port itself
 * (provider.kubernetes.useListenerPortAsContainerPort; the pod then needs NET_BIND_SERVICE).
 */
export const proxyPort = (port: number, envoyProxy?: EnvoyProxy): number =>
  port < 1024 && envoyProxy?.spec.provider?.kubernetes?.useListenerPortAsContainerPort !== true
    ? port + 10000
    : port;

interface Attached {
  route: AnyRouteContext;
  hostnames: string[];
}

/**
 * The routes attached to each listener, in route order, once per translation (asking each
 * listener of every Gateway to scan every route was quadratic). Once per route and listener:
 * parentRefs naming the same listener twice (the Gateway, and the Gateway with a sectionName)
 * attach it with the same hostnames, and its IR routes must not repeat; the first accepted
 * parent reaching the listener gives them.
 */
function attachedRoutes(ctx: TranslatorContext): Map<ListenerContext, Attached[]> {
  const out = new Map<ListenerContext, Attached[]>();
  // Indexed loops: every for-of step allocates an iterator result until V8 optimizes the loop.
  const routes = ctx.routes;
  for (let r = 0; r < routes.length; r++) {
    const route = routes[r]!;
    for (let p = 0; p < route.parents.length; p++) {
      const parent = route.parents[p]!;
      if (!parent.accepted) continue;
      for (let a = 0; a < parent.attachments.length; a++) {
        const { listener, hostnames } = parent.attachments[a]!;
        const list = out.get(listener);
        if (list === undefined) out.set(listener, [{ route, hostnames }]);
        // Routes are listed one after the other: this route reached the listener already when
        // it is the list's last.
        else if (list[list.length - 1]?.route !== route) list.push({ route, hostnames });
      }
    }
  }
  return out;
}

/**
 * A redirect without a port gets the scheme's well-known port (80, 443), or else the listener's
 * own port (Gateway API HTTPRequestRedirectFilter.port).
 */
function redirectFor(redirect: Redirect, l: ListenerContext): Redirect {
  if (redirect.port !== undefined) return redirect;
  const scheme = redirect.scheme?.toLowerCase();
  const port = scheme === 'http' ? 80 : scheme === 'https' ? 443 : l.port;
  return { ...redirect, port };
}

function httpListener(
  ctx: TranslatorContext,
  l: ListenerContext,
  attached: readonly Attached[],
  order: ReadonlyMap<AnyRouteContext, number>,
  security: SecurityPolicyIndex,
  traffic: BackendTrafficIndex,
  rateLimitDomain: string,
  client: ClientTrafficIndex,
  extension: SecurityPolicyIndex,
): HTTPListener {
  const ranked: RankedRoute[] = [];
  // Loops, not forEach: closures per route, rule and hostname were most of this garbage.
  for (let a = 0; a < attached.length; a++) {
    const { route, hostnames } = attached[a]!;
    if (route.kind !== 'HTTPRoute' && route.kind !== 'GRPCRoute') continue;
    const outcomes = ctx.routeOutcomes.get(route) ?? [];
    const rules = (route.resource.spec.rules ?? []) as readonly { name?: string | undefined }[];
    for (let h = 0; h < hostnames.length; h++) {
      const hostname = hostnames[h]!;
      for (let ruleIndex = 0; ruleIndex < outcomes.length; ruleIndex++) {
        const outcome = outcomes[ruleIndex]!;
        if (outcome.invalid && !outcome.failClosed) continue;
        const policy = security.forRoute(route, rules[ruleIndex]?.name, l);
        const backendTraffic = traffic.forRoute(route, rules[ruleIndex]?.name, l);
        const extensionPolicy = extension.forRoute(route, rules[ruleIndex]?.name, l);
        for (let matchIndex = 0; matchIndex < outcome.httpRoutes.length; matchIndex++) {
          const template = outcome.httpRoutes[matchIndex]!;
          // One copy per route and listener, which every policy kind then shapes in place.
          const ir: HTTPRouteIR = withFields(
            { name: `${route.irName}/rule/${ruleIndex}/match/${matchIndex}/${hostname}`, hostname },
            withBackendClientCertificate(
              template,
              l.gateway.backendClientCertificate,
              l.gateway.backendTLSDefaults,
            ),
          );
          ir.source = withFields(template.source, { ruleIndex, matchIndex });
          if (template.redirect) ir.redirect = redirectFor(template.redirect, l);
          applyBackendTraffic(ir, backendTraffic, traffic, l);
          applySecurityPolicy(ctx, ir, policy);
          applyExtensionPolicy(ctx, ir, extensionPolicy);
          ranked.push({
            ir,
            routeOrder: order.get(route) ?? 0,
            ruleIndex,
            matchIndex,
          });
        }
      }
    }
  }
  // EnvoyProxy preserveRouteOrder: within a hostname, routes and their rules in the order
  // written (oldest route first), not Gateway API's precedence.
  const compare = preservesRouteOrder(l.gateway.envoyProxy)
    ? compareRouteOrder
    : compareRoutePrecedence;
  ranked.sort((a, b) =>
    a.ir.hostname < b.ir.hostname ? -1 : a.ir.hostname > b.ir.hostname ? 1 : compare(a, b),
  );
  const listener: HTTPListener = {
    name: l.irName,
    address: '0.0.0.0',
    port: proxyPort(l.port, l.gateway.envoyProxy),
    externalPort: l.port,
    hostnames: [l.hostname ?? '*'],
    routes: ranked.map((r) => scopedToListener(r.ir, l.irName)),
  };
  const rateLimitService = ctx.options.rateLimitService;
  if (rateLimitService && listener.routes.some((r) => r.globalRateLimit !== undefined)) {
    const { host, port, failClosed, timeoutMs, tls } = rateLimitService;
    listener.rateLimitService = {
      domain: rateLimitDomain,
      host,
      port,
      failClosed: failClosed ?? false,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(tls === undefined ? {} : { tls }),
    };
  }
  if (l.protocol === 'HTTPS') {
    listener.tls = {
      mode: 'Terminate',
      certificates: l.certificates,
      // GEP-3567: when certificates of listeners on the port overlap, HTTP/2 connection
      // coalescing could send a request to the wrong listener, so HTTP/1.1 only (as Envoy Gateway).
      alpnProtocols:
        l.conditions.get('OverlappingTLSConfig')?.reason === 'OverlappingCertificates'
          ? ['http/1.1']
          : ['h2', 'http/1.1'],
      ...(l.clientValidation ? { clientValidation: l.clientValidation } : {}),
    };
  }
  return withClientTraffic(listener, client(l));
}

/** A stream route's origin: the route resource and its rule (HTTP routes carry theirs already). */
function routeSource(route: AnyRouteContext, ruleIndex: number): RouteSource {
  const rules = (route.resource.spec.rules ?? []) as readonly { name?: string | undefined }[];
  const rule = rules[ruleIndex]?.name;
  return {
    kind: route.kind,
    namespace: route.namespace,
    name: route.name,
    ...(rule ? { rule } : {}),
    ruleIndex,
  };
}

function tcpListener(
  ctx: TranslatorContext,
  l: ListenerContext,
  attached: readonly Attached[],
  traffic: BackendTrafficIndex,
  security: SecurityPolicyIndex,
  client: ClientTrafficIndex,
): TCPListener {
  const routes: TCPRouteIR[] = [];
  for (const { route, hostnames } of attached) {
    if (route.kind !== 'TLSRoute' && route.kind !== 'TCPRoute') continue;
    // The authorization of the SecurityPolicy protecting the route (its own on a TCPRoute, else
    // the listener's or Gateway's), by client address (network RBAC). One that cannot be applied
    // fails closed: the route is not served, never served unprotected.
    const authorization = streamAuthorization(ctx, route, security, l);
    if (authorization === null) continue;
    (ctx.routeOutcomes.get(route) ?? []).forEach((outcome, i) => {
      if (outcome.invalid || !outcome.destination) return;
      const ir: TCPRouteIR = {
        name: `${route.irName}/rule/${i}`,
        // TLSRoutes match their hostnames by SNI; a TCPRoute behind a terminating TLS listener
        // matches the listener's hostname.
        sniHostnames:
          route.kind === 'TLSRoute'
            ? hostnames.filter((h) => h !== '*')
            : l.protocol === 'TLS' && l.hostname
              ? [l.hostname]
              : [],
        destination: outcome.destination,
        source: routeSource(route, i),
        ...(authorization ? { authorization } : {}),
      };
      if (l.protocol === 'TLS') {
        ir.tls =
          l.spec.tls?.mode === 'Passthrough'
            ? { mode: 'Passthrough', certificates: [], alpnProtocols: [] }
            : { mode: 'Terminate', certificates: l.certificates, alpnProtocols: [] };
      }
      const effective = traffic.forRoute(route, undefined, l);
      ir.destination = traffic.destination(ir.destination, effective, l);
      const statName = effective?.kind === 'applied' ? effective.traffic.route.statName : undefined;
      if (statName !== undefined) ir.statName = expandStatName(statName, ir.source);
      routes.push(ir);
    });
  }
  return withClientTrafficTcp(
    {
      name: l.irName,
      address: '0.0.0.0',
      port: proxyPort(l.port, l.gateway.envoyProxy),
      externalPort: l.port,
      routes,
    },
    client(l),
  );
}

function udpListener(
  ctx: TranslatorContext,
  l: ListenerContext,
  attached: readonly Attached[],
  traffic: BackendTrafficIndex,
): UDPListener {
  const listener: UDPListener = {
    name: l.irName,
    address: '0.0.0.0',
    port: proxyPort(l.port, l.gateway.envoyProxy),
    externalPort: l.port,
  };
  for (const { route } of attached) {
    const outcome = (ctx.routeOutcomes.get(route) ?? [])[0];
    if (route.kind !== 'UDPRoute' || !outcome?.destination || outcome.invalid) continue;
    listener.route = {
      name: `${route.irName}/rule/0`,
      source: routeSource(route, 0),
      destination: traffic.destination(
        outcome.destination,
        traffic.forRoute(route, undefined, l),
        l,
      ),
    };
    break;
  }
  return listener;
}

const byPortThenName = (a: { port: number; name: string }, b: { port: number; name: string }) =>
  a.port - b.port || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Each route's position in age-then-name order, for precedence ties; once per translation. */
const routeOrder = (ctx: TranslatorContext): Map<AnyRouteContext, number> =>
  new Map(sortByAgeThenName(ctx.routes, (r) => r.resource).map((r, i) => [r, i] as const));

/** What every fleet's IR looks up, built once per translation rather than once per fleet. */
export interface TranslationIndexes {
  readonly order: ReadonlyMap<AnyRouteContext, number>;
  readonly attached: ReadonlyMap<ListenerContext, readonly Attached[]>;
  readonly security: SecurityPolicyIndex;
  readonly extension: SecurityPolicyIndex;
  readonly client: ClientTrafficIndex;
}

export const translationIndexes = (ctx: TranslatorContext): TranslationIndexes => ({
  order: routeOrder(ctx),
  attached: attachedRoutes(ctx),
  security: securityPolicyIndex(ctx),
  extension: appliedPolicyIndex(ctx.envoyExtensionPolicies),
  client: clientTrafficIndex(ctx),
});

export function buildXdsIR(
  ctx: TranslatorContext,
  fleet: ProxyFleet,
  { order, attached, security, extension, client }: TranslationIndexes,
): XdsIR {
  const ir: XdsIR = { name: fleet.name, http: [], tcp: [], udp: [] };
  // Per fleet: it names a rule's destinations that differ by listener within the fleet.
  const traffic = backendTrafficIndex(ctx);
  // A Gateway asking for addresses of a type egts cannot give (UnsupportedAddress) is not
  // served at all, as in Envoy Gateway; other reasons for Accepted=False keep its listeners.
  const served = fleet.gateways.filter(
    (gw) => gw.conditions.get('Accepted')?.reason !== 'UnsupportedAddress',
  );
  for (const l of served.flatMap((gw) => gw.allListeners)) {
    if (!l.ready) continue;
    const routes = attached.get(l) ?? [];
    if (l.protocol === 'HTTP' || l.protocol === 'HTTPS')
      ir.http.push(
        httpListener(ctx, l, routes, order, security, traffic, fleet.name, client, extension),
      );
    else if (l.protocol === 'TLS' || l.protocol === 'TCP')
      ir.tcp.push(tcpListener(ctx, l, routes, traffic, security, client));
    else if (l.protocol === 'UDP') ir.udp.push(udpListener(ctx, l, routes, traffic));
  }
  ir.http.sort(byPortThenName);
  ir.tcp.sort(byPortThenName);
  ir.udp.sort(byPortThenName);
  const envoyProxy = fleet.merged
    ? ctx.gatewayClasses.get(fleet.gatewayClass)?.envoyProxy
    : fleet.gateways[0]?.envoyProxy;
  const telemetry = withHealthCheckLog(
    withTracing(ctx, withAccessLog(ctx, ir, envoyProxy), envoyProxy, fleet),
    envoyProxy,
  );
  // Last: whether routes share a backend's cluster depends on everything their clusters hold;
  // then a rule's destinations that differ by listener get names of their own.
  return withDistinctDestinations(
    withMergedBackends(
      ctx,
      withLocalCluster(
        ctx,
        withEnvoyProxySettings(withClusterStats(ctx, telemetry, envoyProxy), envoyProxy),
        fleet,
      ),
      envoyProxy,
    ),
  );
}
