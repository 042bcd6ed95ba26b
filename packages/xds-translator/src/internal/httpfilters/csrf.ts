// SecurityPolicy csrf with Envoy's CSRF filter: off in the connection manager, switched on per
// route with the policy's trusted origins; a shadow fraction evaluates without rejecting
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/csrf_filter).
import {
  CsrfPolicy,
  FractionalPercent_DenominatorType,
  HttpFilter,
  packAny,
} from '@egts/envoy-api';
import { type CSRF, subdomainOriginRegex } from '@egts/ir';
import type { StringMatcher } from '../envoyTypes.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { securityOf } from './securityPolicies.js';

const NAME = 'envoy.filters.http.csrf';

/** A share (0–1) as Envoy's fractional percent, per million. */
const fraction = (share: number) => ({
  defaultValue: {
    numerator: Math.round(share * 1_000_000),
    denominator: FractionalPercent_DenominatorType.MILLION,
  },
  runtimeKey: '',
});

/** `host[:port]`, or `*.domain` for any subdomain. */
const originMatcher = (origin: string): StringMatcher =>
  origin.startsWith('*.')
    ? { safeRegex: { regex: subdomainOriginRegex(origin) }, ignoreCase: false }
    : { exact: origin, ignoreCase: false };

const policy = (csrf: CSRF): CsrfPolicy =>
  CsrfPolicy.fromPartial({
    filterEnabled: fraction(csrf.shadowFraction === undefined ? 1 : 0),
    ...(csrf.shadowFraction === undefined ? {} : { shadowEnabled: fraction(csrf.shadowFraction) }),
    additionalOrigins: csrf.additionalOrigins.map(originMatcher),
  });

export const csrfFilter: HttpFilterTranslator = {
  patchListener: (listeners) =>
    routesOf(listeners).some((route) => route.security?.csrf !== undefined)
      ? [
          HttpFilter.fromPartial({
            name: NAME,
            // Enabled for nobody here: only the routes a policy protects check origins.
            typedConfig: packAny(
              CsrfPolicy,
              CsrfPolicy.fromPartial({ filterEnabled: fraction(0) }),
            ),
          }),
        ]
      : [],
  routeConfigOf: securityOf,
  patchRoute: (route) =>
    route.security?.csrf === undefined
      ? undefined
      : { [NAME]: packAny(CsrfPolicy, policy(route.security.csrf)) },
};
