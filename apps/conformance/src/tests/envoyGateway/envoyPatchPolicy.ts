// Envoy Gateway's EnvoyPatchPolicy e2e test (test/e2e/tests/envoy_patch_policy.go) re-expressed:
// the same manifest and requests through egts and real Envoy; and one of egts's own: a policy
// whose patch fails is Programmed False and the Gateway keeps serving its unpatched config.
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type KubeObject,
  type StatusExpectation,
} from '../../conformanceTest.js';

const sameNs = gw('same-namespace');

const patchPolicy = (
  name: string,
  accepted: 'True' | 'False',
  programmed: 'True' | 'False',
  reason?: string,
): StatusExpectation => ({
  kind: 'EnvoyPatchPolicy',
  namespace: infra,
  name,
  ancestors: [
    {
      gateway: sameNs,
      conditions: [
        { type: 'Accepted', status: accepted },
        { type: 'Programmed', status: programmed, ...(reason ? { reason } : {}) },
      ],
    },
  ],
});

const envoyPatchPolicy: ConformanceTest = {
  name: 'EnvoyPatchPolicy',
  description: 'update xds using EnvoyPatchPolicy',
  features: ['EnvoyPatchPolicy'],
  manifests: ['envoy-patch-policy.yaml'],
  statuses: [
    ...accepted(sameNs, ['http-envoy-patch-policy']),
    patchPolicy('custom-response-patch-policy', 'True', 'True'),
  ],
  requests: [
    { request: { path: '/foo' }, backend: 'infra-backend-v1', namespace: infra },
    // The patched local reply: no route answers 406 instead of 404.
    { request: { path: '/bar' }, status: 406 },
  ],
};

/** The e2e test's policy with a second patch that cannot apply (no such filter chain). */
const failingPolicy: KubeObject = {
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'EnvoyPatchPolicy',
  metadata: { name: 'failing-patch-policy', namespace: infra },
  spec: {
    targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'same-namespace' },
    type: 'JSONPatch',
    jsonPatches: [
      {
        type: 'type.googleapis.com/envoy.config.listener.v3.Listener',
        name: 'gateway-conformance-infra/same-namespace/http',
        operation: {
          op: 'add',
          path: '/default_filter_chain/filters/0/typed_config/local_reply_config',
          value: {
            mappers: [
              {
                filter: {
                  status_code_filter: {
                    comparison: { op: 'EQ', value: { default_value: 404, runtime_key: 'k' } },
                  },
                },
                status_code: 406,
              },
            ],
          },
        },
      },
      {
        type: 'type.googleapis.com/envoy.config.listener.v3.Listener',
        name: 'gateway-conformance-infra/same-namespace/http',
        operation: { op: 'remove', path: '/filter_chains/7' },
      },
    ],
  },
};

const failedPatch: ConformanceTest = {
  name: 'EnvoyPatchPolicyFailedPatch',
  description: 'a policy whose patch fails is not Programmed and changes nothing (egts)',
  features: ['EnvoyPatchPolicy'],
  manifests: [],
  objects: [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'http-failed-patch', namespace: infra },
      spec: {
        parentRefs: [{ name: 'same-namespace' }],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/foo' } }],
            backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
          },
        ],
      },
    },
    failingPolicy,
  ],
  statuses: [
    ...accepted(sameNs, ['http-failed-patch']),
    patchPolicy('failing-patch-policy', 'True', 'False', 'Invalid'),
  ],
  requests: [
    { request: { path: '/foo' }, backend: 'infra-backend-v1', namespace: infra },
    // Unpatched: no route is still 404, not the 406 of the policy's first patch.
    { request: { path: '/bar' }, status: 404 },
  ],
};

/** The same policy naming the listener as Envoy Gateway's xDS name scheme v2 does (`tcp-80`). */
const nameSchemeV2: ConformanceTest = {
  ...envoyPatchPolicy,
  name: 'EnvoyPatchPolicyXDSNameSchemeV2',
  manifests: ['envoy-patch-policy-xds-name-scheme-v2.yaml'],
};

/**
 * egts's: the e2e test's patch with the connection manager selected by a JSONPath filter (the
 * operation's `jsonPath`, its `path` then relative to each match), as Envoy Gateway applies it.
 */
const jsonPathPatch: ConformanceTest = {
  name: 'EgtsEnvoyPatchPolicyJSONPath',
  description: 'update xds using EnvoyPatchPolicy with a JSONPath selecting the patched filter',
  features: ['EnvoyPatchPolicy'],
  manifests: [],
  objects: [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'http-json-path-patch', namespace: infra },
      spec: {
        parentRefs: [{ name: 'same-namespace' }],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/foo' } }],
            backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
          },
        ],
      },
    },
    {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'EnvoyPatchPolicy',
      metadata: { name: 'json-path-patch-policy', namespace: infra },
      spec: {
        targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'same-namespace' },
        type: 'JSONPatch',
        jsonPatches: [
          {
            type: 'type.googleapis.com/envoy.config.listener.v3.Listener',
            name: 'gateway-conformance-infra/same-namespace/http',
            operation: {
              op: 'add',
              jsonPath:
                "$.default_filter_chain.filters[?(@.name=='envoy.filters.network.http_connection_manager')]",
              path: '/typed_config/local_reply_config',
              value: {
                mappers: [
                  {
                    filter: {
                      status_code_filter: {
                        comparison: {
                          op: 'EQ',
                          value: { default_value: 404, runtime_key: 'key_b' },
                        },
                      },
                    },
                    status_code: 406,
                    body: { inline_string: 'not acceptable' },
                  },
                ],
              },
            },
          },
        ],
      },
    },
  ],
  statuses: [
    ...accepted(sameNs, ['http-json-path-patch']),
    patchPolicy('json-path-patch-policy', 'True', 'True'),
  ],
  requests: envoyPatchPolicy.requests ?? [],
};

export const envoyPatchPolicyTests = (): ConformanceTest[] => [
  envoyPatchPolicy,
  nameSchemeV2,
  failedPatch,
  jsonPathPatch,
];
