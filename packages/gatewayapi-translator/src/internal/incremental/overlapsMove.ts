// Route statuses that depend on other routes: RouteRulesOverlap (routes/routeOverlaps.ts) marks
// routes whose matches select exactly the same requests on one listener and hostname. The
// incremental paths recompute the statuses of changed routes only, so they must give up when a
// changed route shares requests with an unchanged one, before or after the change.
import type { HTTPRouteIR, XdsIR } from '@egts/ir';
import { requestsKey } from '../routes/routeOverlaps.js';

/** A changed route, by identity (an IR route's `source`). */
export interface ChangedRoute {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** The path without a trailing slash (`/a/` and `/a` select the same requests), `/` kept. */
export const pathOf = (r: HTTPRouteIR) => {
  const path = r.pathMatch?.value ?? '/';
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
};

/** Whether, in one IR, a changed route's requests are also an unchanged route's. */
const sharesRequests = (ir: XdsIR, isChanged: (r: HTTPRouteIR) => boolean): boolean =>
  ir.http.some((listener) => {
    const changed = listener.routes.filter(isChanged);
    if (changed.length === 0) return false;
    // Cheap filters first: most routes differ from the changed ones in hostname or path.
    const hostnames = new Set(changed.map((r) => r.hostname));
    const paths = new Set(changed.map(pathOf));
    const keys = new Set(changed.map((r) => requestsKey(r.hostname, r)));
    return listener.routes.some(
      (r) =>
        hostnames.has(r.hostname) &&
        paths.has(pathOf(r)) &&
        !isChanged(r) &&
        keys.has(requestsKey(r.hostname, r)),
    );
  });

/**
 * True when a changed route shares requests with an unchanged route in a `touched` fleet's IR,
 * before or after: then that route's RouteRulesOverlap condition may move too.
 */
export const overlapsMove = (
  before: readonly XdsIR[],
  after: readonly XdsIR[],
  touched: ReadonlySet<string>,
  changes: readonly ChangedRoute[],
): boolean => {
  const byName = new Map<string, ChangedRoute[]>();
  for (const c of changes) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  const isChanged = (r: HTTPRouteIR) =>
    byName
      .get(r.source.name)
      ?.some((c) => c.kind === r.source.kind && c.namespace === r.source.namespace) === true;
  return [...before, ...after].some((ir) => touched.has(ir.name) && sharesRequests(ir, isChanged));
};
