// A regex Envoy's RE2 would refuse is refused at translation, with the reason on the route's
// status, so Envoy never rejects the listener's whole RouteConfiguration (issue #16, item 1).
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';
import { translateRegexRoutes } from './regexRoutes.js';

describe('RE2 validation of route regexes', () => {
  it('refuses what JavaScript accepts and RE2 or its program-size limit rejects', () => {
    const refused = ['/\\u0041', '/a{1001}', '/x\\cA', '/\\p{Script=Greek}', '/[a-z]{200}'];
    const { verdicts, goodAccepted } = translateRegexRoutes(refused);
    expect(goodAccepted).toBe(true);
    for (const v of verdicts) expect(v, v.regex).toMatchObject({ accepted: false });
    expect(verdicts[0]?.message).toMatch(/not valid RE2: .*invalid escape/);
    expect(verdicts[4]?.message).toMatch(/program size \d+ is over Envoy's limit of 100/);
  });

  it('accepts RE2 syntax JavaScript lacks, and common path regexes', () => {
    const accepted = [
      '(?i)/users/[0-9]+',
      '/(?P<id>[a-z]+)/x',
      '/\\pL+',
      '/api/v[0-9]+/.*',
      '/[a-z]{60}',
      '\\Q/a.b\\E',
      '[[:alpha:]]+',
    ];
    for (const v of translateRegexRoutes(accepted).verdicts)
      expect(v, `${v.regex}: ${v.message}`).toMatchObject({ accepted: true });
  });

  it('refuses lookaround and backreferences', () => {
    const { verdicts } = translateRegexRoutes(['/(?=a)', '/(?<=a)b', '/(a)\\1']);
    for (const v of verdicts) expect(v, v.regex).toMatchObject({ accepted: false });
  });

  it('refuses a rate limit path regex Envoy would reject, on the BackendTrafficPolicy', () => {
    const policy = (name: string, regex: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {namespace: default, name: ${name}}
spec: {parentRefs: [{name: gw}], rules: [{backendRefs: [{name: app, port: 8080}]}]}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {namespace: default, name: ${name}}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${name}}]
  rateLimit:
    local:
      rules:
      - clientSelectors: [{path: {type: RegularExpression, value: ${JSON.stringify(regex)}}}]
        limit: {requests: 10, unit: Second}
`;
    const text = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {namespace: default, name: gw}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
${policy('big', '/[a-z]{200}')}${policy('fine', '/api/[a-z]+')}`;
    const { resources } = loadResourcesFromText(text, 'btp.yaml', { lenient: true });
    const { statuses } = translate(resources, { now: new Date('2030-01-01T00:00:00Z') });
    const accepted = (name: string) => {
      const s = statuses.find((x) => x.kind === 'BackendTrafficPolicy' && x.metadata.name === name);
      const ancestors = s?.status.ancestors as {
        conditions: { type: string; status: string; message: string }[];
      }[];
      return ancestors[0]?.conditions.find((c) => c.type === 'Accepted');
    };
    expect(accepted('big')).toMatchObject({ status: 'False' });
    expect(accepted('big')?.message).toMatch(
      /path \/\[a-z\]\{200\} is an invalid regex: RE2 program size/,
    );
    expect(accepted('fine')).toMatchObject({ status: 'True' });
  });
});
