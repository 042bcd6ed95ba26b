// Which ClientTrafficPolicy shapes each listener, with Envoy Gateway's precedence: a policy on the
// listener (sectionName) wins over one on its ListenerSet, which wins over one on the Gateway; the
// oldest claims a target (the others are Conflicted). Policies do not merge. Only an accepted
// policy is in effect: an Invalid or NotApplied one still claims its listeners (the broader policy
// is Overridden there) and leaves them with the defaults.
import type { HTTPListener, HTTPRouteIR, RouteDestination, TCPListener } from '@egts/ir';
import type { ListenerContext } from '../context/listenerContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { type ListenerTraffic, listenerTraffic } from './clientTrafficIR.js';
import { scopeOwner } from './policyScope.js';
import type { AppliedPolicy } from './processPolicies.js';
import type { Obj } from './validation/policyValues.js';

export type ClientTrafficIndex = (listener: ListenerContext) => ListenerTraffic | undefined;

export function clientTrafficIndex(ctx: TranslatorContext): ClientTrafficIndex {
  const byScope = new Map<unknown, AppliedPolicy>();
  for (const a of ctx.clientTrafficPolicies) {
    const { scope } = a;
    const key = scopeOwner(scope);
    if (key !== undefined && !byScope.has(key)) byScope.set(key, a);
  }
  const built = new Map<AppliedPolicy['policy'], ListenerTraffic>();
  return (listener) => {
    const a =
      byScope.get(listener) ??
      (listener.listenerSet ? byScope.get(listener.listenerSet) : undefined) ??
      byScope.get(listener.gateway);
    if (a === undefined || a.ancestor.conditions.get('Accepted')?.status !== 'True')
      return undefined;
    let traffic = built.get(a.policy);
    if (traffic === undefined) {
      traffic = listenerTraffic(
        ctx,
        {
          kind: a.policy.kind,
          namespace: a.policy.metadata.namespace ?? 'default',
          name: a.policy.metadata.name,
        },
        a.policy.spec as Obj,
      );
      built.set(a.policy, traffic);
    }
    return traffic;
  };
}

/** A route whose destinations keep HTTP/1 header case. */
function preservingCase(route: HTTPRouteIR): HTTPRouteIR {
  const keep = (d: RouteDestination): RouteDestination => ({ ...d, preserveHeaderCase: true });
  return {
    ...route,
    ...(route.destination ? { destination: keep(route.destination) } : {}),
    mirrors: route.mirrors.map((m) => ({ ...m, destination: keep(m.destination) })),
  };
}

/** The HTTP listener as its policy makes it. */
export function withClientTraffic(
  ir: HTTPListener,
  traffic: ListenerTraffic | undefined,
): HTTPListener {
  if (traffic === undefined) return ir;
  const out: HTTPListener = { ...ir };
  if (traffic.connection) out.connection = traffic.connection;
  if (traffic.headers) out.headers = traffic.headers;
  if (traffic.http2) out.http2 = traffic.http2;
  let client = traffic.clientTraffic;
  if (traffic.useDefaultHost)
    client = { ...client, http1: { ...client?.http1, http10: { useDefaultHost: true } } };
  if (client) out.clientTraffic = client;
  // The routes' clusters keep the header case too (Envoy Gateway sets it on them).
  if (client?.http1?.preserveHeaderCase) out.routes = out.routes.map(preservingCase);
  // No x-ratelimit-* headers from the routes' local rate limits either (the global ones read it
  // from the listener).
  if (traffic.headers?.disableRateLimitHeaders)
    out.routes = out.routes.map((route) =>
      route.localRateLimit
        ? { ...route, localRateLimit: { ...route.localRateLimit, headers: false } }
        : route,
    );
  if (out.tls) {
    out.tls = {
      ...out.tls,
      ...(traffic.alpnProtocols ? { alpnProtocols: traffic.alpnProtocols } : {}),
      ...(traffic.sessionResumption ? { sessionResumption: traffic.sessionResumption } : {}),
    };
  }
  return out;
}

/** The TCP listener as its policy makes it: connection settings, keepalive, PROXY protocol. */
export function withClientTrafficTcp(
  ir: TCPListener,
  traffic: ListenerTraffic | undefined,
): TCPListener {
  if (traffic === undefined) return ir;
  const out: TCPListener = { ...ir };
  if (traffic.connection) out.connection = traffic.connection;
  const client = traffic.clientTraffic;
  if (client) {
    const { connectionLimit, tcpKeepalive, proxyProtocol, tls, timeouts } = client;
    const { tlsHandshakeMs, connectionInspectionMs, tcpIdleMs } = timeouts ?? {};
    const tcpTimeouts = {
      ...(tlsHandshakeMs === undefined ? {} : { tlsHandshakeMs }),
      ...(connectionInspectionMs === undefined ? {} : { connectionInspectionMs }),
      ...(tcpIdleMs === undefined ? {} : { tcpIdleMs }),
    };
    const tcp = {
      ...(Object.keys(tcpTimeouts).length > 0 ? { timeouts: tcpTimeouts } : {}),
      ...(connectionLimit ? { connectionLimit } : {}),
      ...(tcpKeepalive ? { tcpKeepalive } : {}),
      ...(proxyProtocol ? { proxyProtocol } : {}),
      ...(tls ? { tls } : {}),
    };
    if (Object.keys(tcp).length > 0) out.clientTraffic = tcp;
  }
  return out;
}
