// Origins a SecurityPolicy turns into regexes: CORS origins with `*` wildcards and CSRF origins
// for any subdomain (`*.example.com`). Envoy compiles them with RE2 under its program-size limit
// (type.matcher.v3.RegexMatcher), so one it would refuse makes the policy Invalid here instead of
// Envoy rejecting the listener it lands on (issue #16). The regexes are @egts/ir's, the very ones
// the xDS translator builds.
import { subdomainOriginRegex, wildcardOriginRegex } from '@egts/ir';
import { re2Error } from '../../routes/re2.js';
import { csrfOrigin } from '../securityPolicyIR.js';
import { type Obj, obj } from './policyValues.js';

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

export function originRegexProblem(spec: Obj): string | undefined {
  for (const origin of strings(obj(spec.cors)?.allowOrigins)) {
    if (!origin.includes('*')) continue;
    const error = re2Error(wildcardOriginRegex(origin));
    if (error) return `cors.allowOrigins ${origin} cannot be matched by Envoy: ${error}`;
  }
  for (const origin of strings(obj(spec.csrf)?.additionalOrigins)) {
    const host = csrfOrigin(origin);
    if (!host.startsWith('*.')) continue;
    const error = re2Error(subdomainOriginRegex(host));
    if (error) return `csrf.additionalOrigins ${origin} cannot be matched by Envoy: ${error}`;
  }
  return undefined;
}
