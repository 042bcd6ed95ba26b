// A local rate limit rule with `cost.request.number: 0` next to another rule, through real Envoy.
// Envoy (1.40) refuses a request whose hits_addend is 0, so egts gives such a rule a bucket that
// never runs out instead: the rule never refuses, and the other rule matching the same request
// still counts. The same rules without the cost: john's one request an hour.
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
  gatewayManifests,
  get,
  ok,
  policy,
  route,
  service,
  startBackend,
} from './backendTrafficFixture.js';

const rules = (first: string) => `  rateLimit:
    type: Local
    local:
      rules:
      - clientSelectors: [{headers: [{name: x-user-id, value: john}]}]
        limit: {requests: 1, unit: Hour}
${first}      - clientSelectors: [{headers: [{name: x-org, value: acme}]}]
        limit: {requests: 3, unit: Hour}
`;

describe('[envoy] BackendTrafficPolicy local rule with cost 0', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];
  let refusal = '';

  beforeAll(async () => {
    const backendPort = await freePort();
    port = await freePort();
    servers.push(await startBackend('app', '127.0.0.1', backendPort, ok));
    const text = `${gatewayManifests(port)}${service('app', backendPort, ['127.0.0.1'])}${route(
      'free',
      'app',
      backendPort,
    )}${route('plain', 'app', backendPort)}${policy(
      'free',
      rules('        cost: {request: {from: Number, number: 0}}\n'),
    )}${policy('plain', rules(''))}${route('sharedfree', 'app', backendPort)}${policy(
      'sharedfree',
      rules('        shared: true\n        cost: {request: {from: Number, number: 0}}\n'),
    )}`;
    const { resources } = loadResourcesFromText(text, 'zero-cost.yaml');
    const result = translate(resources);
    statuses = acceptedReasons(result.statuses);
    refusal = JSON.stringify(
      result.statuses.filter(
        (s) => s.kind === 'BackendTrafficPolicy' && s.metadata.name === 'sharedfree',
      ),
    );
    const ir = result.xdsIR[0];
    if (ir === undefined) throw new Error('no xDS IR');
    const config = bootstrapToJson(translateBootstrap(ir)) as object;
    envoy = startEnvoy({ config, logLevel: 'warn' });
    await envoy.ready(60_000);
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  it('a rule with cost 0 never refuses and the other rule still counts', async () => {
    for (const name of ['free', 'plain'])
      expect(statuses).toContainEqual({ kind: 'BackendTrafficPolicy', name, accepted: 'Accepted' });
    // A shared bucket checked without taking a token has no Envoy form: refused, naming the field.
    expect(statuses).toContainEqual({
      kind: 'BackendTrafficPolicy',
      name: 'sharedfree',
      accepted: 'NotApplied',
    });
    expect(refusal).toContain('spec.rateLimit.local.rules.cost.request.number');
    const answers = async (path: string, headers: Record<string, string>, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await get(port, path, headers)).status);
      return out;
    };
    const both = { 'x-user-id': 'john', 'x-org': 'acme' };
    const john = { 'x-user-id': 'john' };
    // Before the fix every request on /free was refused (hits_addend 0).
    expect(await answers('/free', john, 3)).toEqual([200, 200, 200]);
    // The acme rule (3 an hour) still counts requests the free rule also matches.
    expect(await answers('/free', both, 4)).toEqual([200, 200, 200, 429]);
    expect(await answers('/plain', john, 3)).toEqual([200, 429, 429]);
  });
});
