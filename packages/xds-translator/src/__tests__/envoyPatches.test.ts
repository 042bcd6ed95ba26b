// EnvoyPatchPolicy patches on translateXds's final resources: proto field names as Envoy Gateway
// writes them, whole resources added, and a failing policy changing nothing.
import {
  Cluster,
  HttpConnectionManager,
  type Listener,
  toEnvoyJson,
  unpackAnyAs,
} from '@egts/envoy-api';
import type { EnvoyPatchPolicyIR, HTTPRouteIR, XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { translateXds } from '../index.js';

const route: HTTPRouteIR = {
  name: 'httproute/default/r/rule/0/match/0/*',
  hostname: '*',
  headerMatches: [],
  queryParamMatches: [],
  addRequestHeaders: [],
  removeRequestHeaders: [],
  addResponseHeaders: [],
  removeResponseHeaders: [],
  mirrors: [],
  grpc: false,
  source: { kind: 'HTTPRoute', namespace: 'default', name: 'r' },
  destination: {
    name: 'httproute/default/r/rule/0',
    settings: [
      {
        name: 'httproute/default/r/rule/0/backend/0',
        weight: 1,
        protocol: 'HTTP',
        addressType: 'IP',
        endpoints: [{ host: '10.0.0.1', port: 8080, ready: true }],
      },
    ],
  },
};

const LISTENER = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

const ir = (policies: EnvoyPatchPolicyIR[]): XdsIR => ({
  name: 'default/eg',
  http: [
    {
      name: 'default/eg/http',
      address: '0.0.0.0',
      port: 10080,
      externalPort: 80,
      hostnames: ['*'],
      routes: [route],
    },
  ],
  tcp: [],
  udp: [],
  envoyPatchPolicies: policies,
});

const hcm = (listener: Listener | undefined): HttpConnectionManager => {
  const chain = listener?.defaultFilterChain ?? listener?.filterChains[0];
  const config = chain?.filters[0]?.typedConfig;
  if (config === undefined) throw new Error('no HCM');
  return unpackAnyAs(HttpConnectionManager, config);
};

/** Envoy Gateway's EnvoyPatchPolicy e2e patch: a local reply mapper turning 404 into 406. */
const localReply = (path: string): EnvoyPatchPolicyIR => ({
  namespace: 'default',
  name: 'local-reply',
  patches: [
    {
      type: LISTENER,
      name: 'default/eg/http',
      op: 'add',
      path,
      value: {
        mappers: [
          {
            filter: {
              status_code_filter: {
                comparison: { op: 'EQ', value: { default_value: 404, runtime_key: 'key_b' } },
              },
            },
            status_code: 406,
            body: { inline_string: 'not acceptable' },
          },
        ],
      },
    },
  ],
});

describe('EnvoyPatchPolicy patches', () => {
  it('patches a listener by proto field names, as Envoy Gateway writes them', () => {
    const out = translateXds(
      ir([localReply('/default_filter_chain/filters/0/typed_config/local_reply_config')]),
    );
    expect(out.envoyPatchPolicies).toEqual([
      expect.objectContaining({ name: 'local-reply', programmed: true, reason: 'Programmed' }),
    ]);
    const mapper = hcm(out.listeners[0]).localReplyConfig?.mappers[0];
    expect(mapper?.statusCode).toBe(406);
    expect(mapper?.body?.inlineString).toBe('not acceptable');
    expect(mapper?.filter?.statusCodeFilter?.comparison?.value?.defaultValue).toBe(404);
  });

  it('adds a whole resource when the path is empty', () => {
    const out = translateXds(
      ir([
        {
          namespace: 'default',
          name: 'extra-cluster',
          patches: [
            {
              type: CLUSTER,
              name: 'extra',
              op: 'add',
              path: '',
              value: { name: 'extra', connect_timeout: '2s', type: 'STRICT_DNS' },
            },
          ],
        },
      ]),
    );
    const extra = out.clusters.find((c) => c.name === 'extra');
    expect(extra && toEnvoyJson(Cluster, extra)).toMatchObject({
      connectTimeout: '2s',
      type: 'STRICT_DNS',
    });
    expect(out.envoyPatchPolicies?.[0]?.programmed).toBe(true);
  });

  it('applies at each match of a jsonPath, the path relative to it, as Envoy Gateway', () => {
    const byJsonPath = (jsonPath: string, path: string): EnvoyPatchPolicyIR => {
      const policy = localReply(path);
      return { ...policy, patches: policy.patches.map((p) => ({ ...p, jsonPath })) };
    };
    const out = translateXds(
      ir([
        byJsonPath(
          "$.default_filter_chain.filters[?(@.name=='envoy.filters.network.http_connection_manager')]",
          '/typed_config/local_reply_config',
        ),
      ]),
    );
    expect(out.envoyPatchPolicies?.[0]).toMatchObject({ programmed: true });
    expect(hcm(out.listeners[0]).localReplyConfig?.mappers[0]?.statusCode).toBe(406);
    // Envoy Gateway's errors: nothing selected, or the root alone.
    const none = translateXds(ir([byJsonPath("$..filters[?(@.name=='nope')]", '/x')]));
    expect(none.envoyPatchPolicies?.[0]).toMatchObject({ programmed: false, reason: 'Invalid' });
    expect(none.envoyPatchPolicies?.[0]?.message).toMatch(/no jsonPointers were found/);
    expect(hcm(none.listeners[0]).localReplyConfig).toBeUndefined();
    const root = translateXds(ir([byJsonPath('$', '/x')]));
    expect(root.envoyPatchPolicies?.[0]?.message).toMatch(/only Root/);
  });

  it('moves and copies by from', () => {
    const out = translateXds(
      ir([
        {
          namespace: 'default',
          name: 'move',
          patches: [
            {
              type: LISTENER,
              name: 'default/eg/http',
              op: 'copy',
              from: '/name',
              path: '/stat_prefix',
            },
            {
              type: LISTENER,
              name: 'default/eg/http',
              op: 'move',
              from: '/default_filter_chain/name',
              path: '/default_filter_chain/filters/0/name',
            },
          ],
        },
      ]),
    );
    expect(out.envoyPatchPolicies?.[0]).toMatchObject({ programmed: true });
    const listener = out.listeners[0];
    expect(listener?.statPrefix).toBe('default/eg/http');
    expect(listener?.defaultFilterChain?.name).toBe('');
    expect(listener?.defaultFilterChain?.filters[0]?.name).toBe('default/eg/http');
  });

  it('reports a failing policy and applies none of its patches; later policies still apply', () => {
    const clean = translateXds(ir([]));
    const failing: EnvoyPatchPolicyIR = {
      namespace: 'default',
      name: 'failing',
      patches: [
        ...localReply('/default_filter_chain/filters/0/typed_config/local_reply_config').patches,
        { type: LISTENER, name: 'default/eg/http', op: 'remove', path: '/no_such_field' },
      ],
    };
    const missing: EnvoyPatchPolicyIR = {
      namespace: 'default',
      name: 'missing',
      patches: [{ type: CLUSTER, name: 'nope', op: 'remove', path: '/name' }],
    };
    const misspelt: EnvoyPatchPolicyIR = {
      namespace: 'default',
      name: 'misspelt',
      patches: [
        {
          type: LISTENER,
          name: 'default/eg/http',
          op: 'add',
          path: '/per_conection_buffer',
          value: 5,
        },
      ],
    };
    const out = translateXds(ir([failing, missing, misspelt]));
    expect(out.envoyPatchPolicies?.map((o) => [o.name, o.programmed, o.reason])).toEqual([
      ['failing', false, 'Invalid'],
      ['missing', false, 'ResourceNotFound'],
      ['misspelt', false, 'Invalid'],
    ]);
    expect(out.envoyPatchPolicies?.[2]?.message).toContain('unknown field /perConectionBuffer');
    expect(out.listeners).toEqual(clean.listeners);
    expect(out.clusters).toEqual(clean.clusters);
  });
});
