// A local rate limit rule's `cost.request` read from dynamic metadata, through real Envoy: a Lua
// filter (moved before the rate limit filters with EnvoyProxy `filterOrder`; Envoy Gateway's
// default order runs them first) writes the cost of a request, and the rule takes that many
// tokens (Envoy's hits_addend format). A rule without the cost takes one token a request.
import type { Server } from 'node:http';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  acceptedReasons,
  closeAll,
  get,
  ok,
  policy,
  route,
  service,
  startBackend,
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

/** Lua on `target` writing the request's cost (3) to dynamic metadata io.egts.cost/hits. */
const costWriter = (target: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: {name: ${target}-cost, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${target}}]
  lua:
  - type: Inline
    inline: |
      function envoy_on_request(handle)
        handle:streamInfo():dynamicMetadata():set("io.egts.cost", "hits", 3)
      end
`;

const limit = (cost: string) => `  rateLimit:
    type: Local
    local:
      rules:
      - clientSelectors: [{headers: [{name: x-user-id, value: john}]}]
        limit: {requests: 6, unit: Hour}
${cost}`;

describe('[envoy] BackendTrafficPolicy local rate limit cost from metadata', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  beforeAll(async () => {
    const backendPort = await freePort();
    port = await freePort();
    servers.push(await startBackend('app', '127.0.0.1', backendPort, ok));
    const text = `${manifests(port)}${service('app', backendPort, ['127.0.0.1'])}${route(
      'metered',
      'app',
      backendPort,
    )}${route('counted', 'app', backendPort)}${costWriter('metered')}${costWriter(
      'counted',
    )}${policy(
      'metered',
      limit(
        '        cost: {request: {from: Metadata, metadata: {namespace: io.egts.cost, key: hits}}}\n',
      ),
    )}${policy('counted', limit(''))}`;
    const { resources } = loadResourcesFromText(text, 'rate-limit-cost.yaml');
    const result = translate(resources);
    statuses = acceptedReasons(result.statuses);
    const ir = result.xdsIR[0];
    if (ir === undefined) throw new Error('no xDS IR');
    envoy = startEnvoy({
      config: bootstrapToJson(translateBootstrap(ir)) as object,
      logLevel: 'warn',
    });
    await envoy.ready(60_000);
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  it('cost.request from metadata takes the number a filter wrote', async () => {
    for (const name of ['metered', 'counted'])
      expect(statuses).toContainEqual({ kind: 'BackendTrafficPolicy', name, accepted: 'Accepted' });
    const john = { 'x-user-id': 'john' };
    const answers = async (path: string, n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        const reply = await get(port, path, john);
        out.push(`${reply.status}/${String(reply.headers['x-ratelimit-remaining'])}`);
      }
      return out;
    };
    // 3 of 6 a request: the third is refused.
    expect(await answers('/metered', 3)).toEqual(['200/3', '200/0', '429/0']);
    // The same Lua, no cost: one token a request.
    expect(await answers('/counted', 3)).toEqual(['200/5', '200/4', '200/3']);
  });
});
