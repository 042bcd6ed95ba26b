// Why two local rate limit settings stay NotApplied, checked against the Envoy egts runs (1.40),
// so that an Envoy that can take them fails here and says so:
// - `limit.fromMetadata`: the form the global filter takes (a rate limit's `limit` override read
//   from dynamic metadata) is refused in the local filter's rate_limits;
// - `cost.response`: the form Envoy Gateway emits (a rate limit with apply_on_stream_done and a
//   hits_addend) loads, but the local filter takes no token when the stream ends: a response cost
//   of 3, written by Lua, leaves the bucket falling by one a request (its request cost).
// The configuration is egts's own for a local rule, with the one field added to its rate limit.
import type { Server } from 'node:http';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, validateEnvoyConfig } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  closeAll,
  get,
  ok,
  policy,
  route,
  service,
  startBackend,
  startTranslated,
} from './backendTrafficFixture.js';

const manifests = (port: number) => `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy, namespace: default}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: proxy, namespace: default}
spec:
  filterOrder: [{name: envoy.filters.http.lua, before: envoy.filters.http.local_ratelimit}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: ${port}}]}
`;

/** Lua writing a response cost of 3 to dynamic metadata io.egts.cost/response (and a header). */
const responseCost = `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: {name: charged-cost, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: charged}]
  lua:
  - type: Inline
    inline: |
      function envoy_on_response(handle)
        handle:streamInfo():dynamicMetadata():set("io.egts.cost", "response", 3)
        handle:headers():add("x-response-cost", "3")
      end
`;

const limited = `  rateLimit:
    type: Local
    local:
      rules:
      - clientSelectors: [{headers: [{name: x-user-id, value: john}]}]
        limit: {requests: 6, unit: Hour}
`;

type Json = Record<string, unknown>;

/** Applies `change` to the rate limits of the local filter configs of routes named `/<name>/`. */
const withLocalRateLimits =
  (name: string, change: (rateLimits: Json[]) => void) =>
  (bootstrap: Json): Json => {
    const walk = (value: unknown, routeName: string): void => {
      if (Array.isArray(value)) {
        for (const item of value) walk(item, routeName);
        return;
      }
      if (value === null || typeof value !== 'object') return;
      const object = value as Json;
      const within = object.match && typeof object.name === 'string' ? object.name : routeName;
      const type = String(object['@type'] ?? '');
      if (type.endsWith('.LocalRateLimit') && Array.isArray(object.rateLimits))
        if (within.includes(`/${name}/`)) change(object.rateLimits as Json[]);
      for (const child of Object.values(object)) walk(child, within);
    };
    walk(bootstrap, '');
    return bootstrap;
  };

describe('[envoy] local rate limit settings Envoy cannot take', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let text = '';

  beforeAll(async () => {
    const backendPort = await freePort();
    port = await freePort();
    servers.push(await startBackend('app', '127.0.0.1', backendPort, ok));
    text = `${manifests(port)}${service('app', backendPort, ['127.0.0.1'])}${route('charged', 'app', backendPort)}${route('limited', 'app', backendPort)}${responseCost}${policy('charged', limited)}${policy('limited', limited)}`;
    // Envoy Gateway's form of a response cost: a second rate limit, applied when the stream is done.
    ({ envoy } = await startTranslated(
      text,
      'local-limits.yaml',
      withLocalRateLimits('charged', (rateLimits) => {
        const first = rateLimits[0];
        if (first === undefined) throw new Error('no rate limit');
        rateLimits.push({
          ...first,
          applyOnStreamDone: true,
          hitsAddend: { format: '%DYNAMIC_METADATA(io.egts.cost:response)%' },
        });
      }),
    ));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  it('refuses a limit override from metadata in the local filter', async () => {
    const { resources } = loadResourcesFromText(text, 'local-limits.yaml');
    const [ir] = translate(resources).xdsIR;
    if (ir === undefined) throw new Error('no xDS IR');
    const bootstrap = withLocalRateLimits('limited', (rateLimits) => {
      for (const rateLimit of rateLimits)
        rateLimit.limit = {
          dynamicMetadata: { metadataKey: { key: 'io.egts.limit', path: [{ key: 'override' }] } },
        };
    })(bootstrapToJson(translateBootstrap(ir)) as Json);
    const result = await validateEnvoyConfig(bootstrap);
    expect(result.valid).toBe(false);
    expect(result.output).toContain("'limit' field is not supported");
  }, 120_000);

  it('takes no token for a response cost', async () => {
    const john = { 'x-user-id': 'john' };
    const remaining: string[] = [];
    for (let i = 0; i < 4; i++) {
      const reply = await get(port, '/charged', john);
      expect(reply.status).toBe(200);
      // The Lua ran: the cost was written.
      expect(reply.headers['x-response-cost']).toBe('3');
      remaining.push(String(reply.headers['x-ratelimit-remaining']));
    }
    // Applied, each response's 3 would leave 5, 1, then refuse.
    expect(remaining).toEqual(['5', '4', '3', '2']);
  });
});
