// Shared by the regex tests: one HTTPRoute per path regex beside a plain one, translated, and
// whether each was accepted (GEP-1364 Accepted; a rule Envoy cannot load makes it False).
import { loadResourcesFromText } from '@egts/api';
import { translate } from '../index.js';

const HEAD = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {namespace: default, name: gw}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 80}]
`;

const route = (name: string, path: object) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {namespace: default, name: ${name}}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: ${JSON.stringify(path)}}], backendRefs: [{name: app, port: 8080}]}]
`;

export interface RegexVerdict {
  regex: string;
  accepted: boolean;
  message: string;
}

/** Translates one route per regex (plus `good`, a prefix route) and reads each one's Accepted. */
export function translateRegexRoutes(regexes: readonly string[]): {
  verdicts: RegexVerdict[];
  goodAccepted: boolean;
} {
  const text =
    HEAD +
    route('good', { type: 'PathPrefix', value: '/good' }) +
    regexes.map((r, i) => route(`r${i}`, { type: 'RegularExpression', value: r })).join('');
  const { resources } = loadResourcesFromText(text, 'regex.yaml', { lenient: true });
  const { statuses } = translate(resources, { now: new Date('2030-01-01T00:00:00Z') });
  const accepted = (name: string) => {
    const s = statuses.find((x) => x.kind === 'HTTPRoute' && x.metadata.name === name);
    const parents = (
      s?.status as {
        parents?: { conditions: { type: string; status: string; message: string }[] }[];
      }
    )?.parents;
    const condition = parents?.[0]?.conditions.find((c) => c.type === 'Accepted');
    return { accepted: condition?.status === 'True', message: condition?.message ?? 'no status' };
  };
  return {
    verdicts: regexes.map((regex, i) => ({ regex, ...accepted(`r${i}`) })),
    goodAccepted: accepted('good').accepted,
  };
}
