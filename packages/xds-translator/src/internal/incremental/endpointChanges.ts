// Which destinations of an xDS IR moved only their endpoints since the IR before it. The
// gatewayapi-translator hands on unchanged parts as the same objects, so the walk skips them by
// identity and costs what changed, not the size of the IR.
import { isDeepStrictEqual } from 'node:util';
import type { DestinationSetting, HTTPRouteIR, TCPRouteIR, UDPListener, XdsIR } from '@egts/ir';

/** The parts of an IR whose destinations moved endpoints, as translateDestinations reads them. */
export interface EndpointChanges {
  /** Names of the settings whose endpoints changed. */
  readonly settings: ReadonlySet<string>;
  /** An IR holding only the routes (and UDP listeners) with such a setting. */
  readonly partial: XdsIR;
}

const isSetting = (value: object): value is DestinationSetting =>
  'addressType' in value &&
  'endpoints' in value &&
  typeof (value as { name?: unknown }).name === 'string';

const withoutEndpoints = (setting: DestinationSetting) => ({ ...setting, endpoints: [] });

/**
 * True when `next` equals `previous` but for the endpoints of destination settings, whose names
 * (for those that differ) go into `moved`.
 */
const sameButEndpoints = (previous: unknown, next: unknown, moved: Set<string>): boolean => {
  if (previous === next) return true;
  if (typeof previous !== 'object' || typeof next !== 'object' || !previous || !next) {
    return Object.is(previous, next);
  }
  if (Array.isArray(previous) !== Array.isArray(next)) return false;
  if (Array.isArray(previous)) {
    const after = next as unknown[];
    if (previous.length !== after.length) return false;
    return previous.every((p, i) => sameButEndpoints(p, after[i], moved));
  }
  if (isSetting(previous) && isSetting(next)) {
    if (previous.name !== next.name) return false;
    if (isDeepStrictEqual(previous.endpoints, next.endpoints)) {
      return isDeepStrictEqual(previous, next);
    }
    if (!isDeepStrictEqual(withoutEndpoints(previous), withoutEndpoints(next))) return false;
    moved.add(next.name);
    return true;
  }
  const before = previous as Record<string, unknown>;
  const after = next as Record<string, unknown>;
  const keys = Object.keys(after);
  if (keys.length !== Object.keys(before).length) return false;
  return keys.every((key) => key in before && sameButEndpoints(before[key], after[key], moved));
};

/** Listeners compared but for their routes, whose changes `route` collects. */
const sameListeners = <L extends object, R>(
  previous: readonly L[],
  next: readonly L[],
  routesOf: (listener: L) => readonly R[],
  route: (previous: R, next: R) => boolean,
): boolean => {
  if (previous === next) return true;
  if (previous.length !== next.length) return false;
  return next.every((listener, i) => {
    const was = previous[i]!;
    if (was === listener) return true;
    const [before, after] = [routesOf(was), routesOf(listener)];
    if (before.length !== after.length) return false;
    // Listener settings hold no destination: they must be equal.
    const rest = (l: L) => ({ ...l, routes: undefined });
    return (
      isDeepStrictEqual(rest(was), rest(listener)) &&
      after.every((r, j) => r === before[j] || route(before[j]!, r))
    );
  });
};

/**
 * Whether the fields of two IRs besides their listeners (access logs, tracing, IP family, the
 * fleet's own endpoints...) are equal: every one shapes listeners or clusters, so any change is
 * translated again in full. Each field, whichever the IR has now or later, is compared.
 */
const sameFleetFields = (previous: XdsIR, next: XdsIR): boolean => {
  const before = previous as unknown as Record<string, unknown>;
  const after = next as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === 'http' || key === 'tcp' || key === 'udp') continue;
    if (before[key] !== after[key] && !isDeepStrictEqual(before[key], after[key])) return false;
  }
  return true;
};

/**
 * The endpoint-only changes from `previous` to `next`, or undefined when anything but endpoints
 * changed (then everything is translated again).
 */
export const endpointChanges = (previous: XdsIR, next: XdsIR): EndpointChanges | undefined => {
  if (!sameFleetFields(previous, next)) return undefined;
  const moved = new Set<string>();
  const http: HTTPRouteIR[] = [];
  const tcp: TCPRouteIR[] = [];
  const udp: UDPListener[] = [];
  /** Compares two routes (or UDP listeners), keeping the new one when its endpoints moved. */
  const collect =
    <R>(into: R[]) =>
    (was: R, now: R): boolean => {
      const found = new Set<string>();
      if (!sameButEndpoints(was, now, found)) return false;
      if (found.size > 0) into.push(now);
      for (const name of found) moved.add(name);
      return true;
    };
  const sameUdp =
    previous.udp.length === next.udp.length &&
    next.udp.every((l, i) => l === previous.udp[i] || collect(udp)(previous.udp[i]!, l));
  const same =
    sameListeners(previous.http, next.http, (l) => l.routes, collect(http)) &&
    sameListeners(previous.tcp, next.tcp, (l) => l.routes, collect(tcp)) &&
    sameUdp;
  if (!same) return undefined;
  const partial: XdsIR = {
    name: next.name,
    http: http.length === 0 ? [] : [{ ...next.http[0]!, routes: http }],
    tcp: tcp.length === 0 ? [] : [{ ...next.tcp[0]!, routes: tcp }],
    udp,
  };
  return { settings: moved, partial };
};
