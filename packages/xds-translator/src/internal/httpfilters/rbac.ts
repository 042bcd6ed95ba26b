// SecurityPolicy authorization with Envoy's RBAC filter, configured per route. Envoy Gateway's
// rules are first-match-wins with a default action; Envoy's RBAC policies are one action over
// an OR of policies. So each rule becomes one principal (client CIDRs, headers, the `:method`
// pseudo-header, the path and client IP geolocations, all required), and the requests allowed are those where an Allow
// rule matches and no earlier Deny rule does (or, by default, no Deny rule at all). A rule's CEL
// expression becomes a policy's `condition`
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/rbac_filter).
import {
  type CelExpr,
  HttpFilter,
  type Principal,
  packAny,
  RBAC,
  RBAC_Action,
  RBACPerRoute,
  RBACPolicy,
  RBACRules,
} from '@egts/envoy-api';
import type { Authorization, AuthorizationRule } from '@egts/ir';
import { celAnd, celBool, celNot, parseCel } from './celCondition.js';
import { GEO_HEADERS } from './geoip.js';
import type { HttpFilterTranslator } from './httpFilter.js';
import { routesOf } from './httpFilter.js';
import { securityOf } from './securityPolicies.js';

const NAME = 'envoy.filters.http.rbac';

const anyOf = (ids: Principal[]): Principal =>
  ids.length === 1 ? (ids[0] as Principal) : ({ orIds: { ids } } as Principal);
const allOf = (ids: Principal[]): Principal =>
  ids.length === 0
    ? ({ any: true } as Principal)
    : ids.length === 1
      ? (ids[0] as Principal)
      : ({ andIds: { ids } } as Principal);
const not = (id: Principal): Principal => ({ notId: id }) as Principal;

const cidr = (range: string): Principal => {
  const [address = '', length] = range.split('/');
  const prefixLen = length === undefined ? (address.includes(':') ? 128 : 32) : Number(length);
  return { remoteIp: { addressPrefix: address, prefixLen } } as Principal;
};

const header = (name: string, value: string, ignoreCase = false): Principal =>
  ({ header: { name, stringMatch: { exact: value, ignoreCase } } }) as Principal;

/**
 * A client IP geolocation: every field it sets equals what the geoip filter wrote (geoip.ts);
 * country, region, city and ISP ignoring case, as Envoy Gateway compares them.
 */
const geoLocation = ({
  anonymous,
  ...place
}: NonNullable<AuthorizationRule['geoLocations']>[number]) => {
  const fields: Principal[] = [];
  for (const field of ['country', 'region', 'city', 'isp'] as const) {
    const value = place[field];
    if (value !== undefined) fields.push(header(GEO_HEADERS[field], value, true));
  }
  if (place.asn !== undefined) fields.push(header(GEO_HEADERS.asn, String(place.asn)));
  for (const field of ['isAnonymous', 'isVPN', 'isHosting', 'isTor', 'isProxy'] as const) {
    const value = anonymous?.[field];
    if (value !== undefined) fields.push(header(GEO_HEADERS[field], String(value)));
  }
  return allOf(fields);
};

/** Where jwt_authn puts a provider's verified payload (jwtAuthn.ts sets payload_in_metadata). */
const JWT_FILTER = 'envoy.filters.http.jwt_authn';

/** A claim of the verified token: a string equal to `value`, or a list holding it. */
const claim = (provider: string, name: string, value: string, list: boolean): Principal =>
  ({
    metadata: {
      filter: JWT_FILTER,
      path: [provider, ...name.split('.')].map((key) => ({ key })),
      value: list
        ? { listMatch: { oneOf: { stringMatch: { exact: value, ignoreCase: false } } } }
        : { stringMatch: { exact: value, ignoreCase: false } },
      invert: false,
    },
  }) as Principal;

/** Claims each with one of their values, and every scope (`scope` is split into a list). */
const jwtConditions = (jwt: NonNullable<AuthorizationRule['jwt']>): Principal[] => [
  ...jwt.claims.map((c) =>
    anyOf(c.values.map((v) => claim(jwt.provider, c.name, v, c.valueType === 'StringArray'))),
  ),
  ...jwt.scopes.map((scope) => claim(jwt.provider, 'scope', scope, true)),
];

/** The request path (Envoy's url_path leaves the query out), inverted when the rule says. */
const path = ({ type, value, invert }: NonNullable<AuthorizationRule['path']>): Principal => {
  const match =
    type === 'Exact'
      ? { exact: value, ignoreCase: false }
      : type === 'PathPrefix'
        ? { prefix: value, ignoreCase: false }
        : { safeRegex: { regex: value }, ignoreCase: false };
  const id = { urlPath: { path: match } } as Principal;
  return invert ? not(id) : id;
};

/** The principal conditions of a rule (all must hold); none: any request. */
const conditionsOf = (rule: AuthorizationRule): Principal[] => {
  const conditions: Principal[] = [];
  if (rule.clientCIDRs.length > 0) conditions.push(anyOf(rule.clientCIDRs.map(cidr)));
  for (const h of rule.headers) conditions.push(anyOf(h.values.map((v) => header(h.name, v))));
  if (rule.methods.length > 0)
    conditions.push(anyOf(rule.methods.map((m) => header(':method', m))));
  if (rule.path) conditions.push(path(rule.path));
  if (rule.jwt) conditions.push(...jwtConditions(rule.jwt));
  if (rule.geoLocations?.length) conditions.push(anyOf(rule.geoLocations.map(geoLocation)));
  return conditions;
};

/**
 * A rule's CEL expression; one that does not parse (the gateway API translator reports it) fails
 * closed: an Allow rule never matches, a Deny rule matches whatever its other conditions match.
 */
const celOf = (rule: AuthorizationRule): CelExpr | undefined =>
  rule.cel === undefined ? undefined : (parseCel(rule.cel) ?? celBool(rule.action === 'Deny'));

/** Requests that hold every principal and every CEL condition (an RBAC policy's shape). */
interface Alternative {
  principals: Principal[];
  conditions: CelExpr[];
}

/**
 * The requests no rule of `denied` matches, within each alternative. A Deny rule matches when its
 * principal and its CEL condition both hold, so its negation is "not the principal" or "not the
 * condition": with both set, each alternative splits in two (the translator caps such rules).
 */
const outsideDenied = (alternatives: Alternative[], denied: AuthorizationRule[]): Alternative[] =>
  denied.reduce((alts, rule) => {
    const principal = not(allOf(conditionsOf(rule)));
    const cel = celOf(rule);
    if (cel === undefined)
      return alts.map((a) => ({ ...a, principals: [...a.principals, principal] }));
    const notCel = celNot(cel);
    if (conditionsOf(rule).length === 0)
      return alts.map((a) => ({ ...a, conditions: [...a.conditions, notCel] }));
    return alts.flatMap((a) => [
      { ...a, principals: [...a.principals, principal] },
      { ...a, conditions: [...a.conditions, notCel] },
    ]);
  }, alternatives);

/** The requests allowed under first-match-wins. */
const allowed = (authz: Authorization): Alternative[] => {
  const out: Alternative[] = [];
  const denied: AuthorizationRule[] = [];
  for (const rule of authz.rules) {
    if (rule.action === 'Deny') {
      denied.push(rule);
      continue;
    }
    const cel = celOf(rule);
    const own = { principals: [allOf(conditionsOf(rule))], conditions: cel ? [cel] : [] };
    out.push(...outsideDenied([own], denied));
  }
  if (authz.defaultAction === 'Allow')
    out.push(...outsideDenied([{ principals: [], conditions: [] }], denied));
  return out;
};

/** The RBAC rules of an authorization: allow what it allows (HTTP filter and network filter). */
export const authorizationRules = (authz: Authorization): RBACRules => {
  const alternatives = allowed(authz);
  const plain = alternatives.filter((a) => a.conditions.length === 0);
  const policies: Record<string, RBACPolicy> = {};
  // No policy at all denies every request.
  if (plain.length > 0)
    policies.authorization = RBACPolicy.fromPartial({
      permissions: [{ any: true }],
      principals: plain.map((a) => allOf(a.principals)),
    });
  // A CEL condition applies to a whole policy: one policy per alternative that has one.
  for (const [i, a] of alternatives.filter((a) => a.conditions.length > 0).entries())
    policies[`authorization-cel-${i}`] = RBACPolicy.fromPartial({
      permissions: [{ any: true }],
      principals: [allOf(a.principals)],
      condition: celAnd(a.conditions),
    });
  const rules = RBACRules.fromPartial({ action: RBAC_Action.ALLOW });
  rules.policies = policies;
  return rules;
};

/** The route's rules, complete messages placed as they are (fromPartial would copy each policy). */
const perRoute = (authz: Authorization): RBACPerRoute => {
  const rbac = RBAC.fromPartial({});
  rbac.rules = authorizationRules(authz);
  return { rbac };
};

export const rbacFilter: HttpFilterTranslator = {
  patchListener: (listeners) =>
    routesOf(listeners).some((route) => route.security?.authorization !== undefined)
      ? // No rules here: routes without a policy are not checked.
        [HttpFilter.fromPartial({ name: NAME, typedConfig: packAny(RBAC, RBAC.fromPartial({})) })]
      : [],
  routeConfigOf: securityOf,
  patchRoute: (route) =>
    route.security?.authorization === undefined
      ? undefined
      : { [NAME]: packAny(RBACPerRoute, perRoute(route.security.authorization)) },
};
