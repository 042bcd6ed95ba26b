// Every HTTP filter the translator knows, in the order Envoy runs them: CORS answers preflights
// before anything else; session persistence picks the host before the router forwards.
import { corsFilter } from './cors.js';
import type { HttpFilterTranslator } from './httpFilter.js';
import { routerFilter } from './router.js';
import { statefulSessionFilter } from './statefulSession.js';

export const HTTP_FILTERS: readonly HttpFilterTranslator[] = [
  corsFilter,
  statefulSessionFilter,
  routerFilter,
];
