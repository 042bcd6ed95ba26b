// EnvoyProxy `filterOrder`: HTTP filters moved from their default places in the chain
// (httpFilters.ts), as Envoy Gateway applies it: each entry in turn moves every instance of the
// filter it names (`envoy.filters.http.ext_authz`, instances `envoy.filters.http.ext_authz/...`)
// right before the first instance of `before`, or right after the last of `after`. An entry
// naming a filter the chain lacks changes nothing; the router stays last.
import type { HttpFilter } from '@egts/envoy-api';
import type { FilterOrder } from '@egts/ir';

const ROUTER = 'envoy.filters.http.router';

const isInstance = (filter: HttpFilter, name: string) =>
  filter.name === name || filter.name.startsWith(`${name}/`);

export function orderHttpFilters(
  filters: readonly HttpFilter[],
  order: FilterOrder | undefined,
): HttpFilter[] {
  let chain = [...filters];
  for (const { name, before, after } of order ?? []) {
    if (name === ROUTER || (before === undefined && after === undefined)) continue;
    const moved = chain.filter((f) => isInstance(f, name));
    const rest = chain.filter((f) => !isInstance(f, name));
    if (moved.length === 0) continue;
    let at: number;
    if (before !== undefined) {
      at = rest.findIndex((f) => isInstance(f, before));
    } else {
      const last = rest.findLastIndex((f) => isInstance(f, after as string));
      at = last === -1 || rest[last]?.name === ROUTER ? -1 : last + 1;
    }
    if (at === -1) continue;
    chain = [...rest.slice(0, at), ...moved, ...rest.slice(at)];
  }
  return chain;
}
