// Every HTTP filter the translator knows, in the order Envoy runs them: CORS answers preflights
// before anything else; session persistence picks the host before the router forwards; the gRPC
// filters sit just before the router, as in Envoy Gateway's filter order.
import { corsFilter } from './cors.js';
import { grpcStatsFilter } from './grpcStats.js';
import { grpcWebFilter } from './grpcWeb.js';
import type { HttpFilterTranslator } from './httpFilter.js';
import { routerFilter } from './router.js';
import { statefulSessionFilter } from './statefulSession.js';

export const HTTP_FILTERS: readonly HttpFilterTranslator[] = [
  corsFilter,
  statefulSessionFilter,
  grpcWebFilter,
  grpcStatsFilter,
  routerFilter,
];
