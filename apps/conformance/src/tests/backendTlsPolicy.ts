// GATEWAY-HTTP extended, BackendTLSPolicy: Envoy originates TLS to the backend, validating its
// certificate against the policy's CA and hostname (conformance/tests/backendtlspolicy*.go).
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  routeCondition,
  type StatusExpectation,
} from '../conformanceTest.js';

const tlsBackend = { backend: 'tls-backend', namespace: infra };
/** Envoy answers an upstream TLS handshake failure with 502 or 503. */
const upstreamTlsFailure = { status: [502, 503] };

export const backendTlsPolicyTests: ConformanceTest[] = [
  {
    name: 'BackendTLSPolicy',
    description:
      'TLS to the backend validated by CA and hostname: the right ones answer, a wrong hostname or CA fails',
    features: ['Gateway', 'HTTPRoute', 'BackendTLSPolicy'],
    manifests: ['backendtlspolicy.yaml'],
    statuses: [
      ...accepted(gw('same-namespace'), ['backendtlspolicy']),
      ...accepted(gw('same-namespace-with-https-listener'), ['backendtlspolicy-reencrypt']),
    ],
    requests: [
      { request: { host: 'abc.example.com', path: '/backendtlspolicy' }, ...tlsBackend },
      {
        request: { host: 'abc.example.com', path: '/backendtlspolicy-reconcile-test' },
        ...tlsBackend,
      },
      {
        request: { host: 'abc.example.com', path: '/backendtlspolicy-host-mismatch' },
        ...upstreamTlsFailure,
      },
      {
        request: { host: 'abc.example.com', path: '/backendtlspolicy-cert-mismatch' },
        ...upstreamTlsFailure,
      },
      {
        gateway: gw('same-namespace-with-https-listener'),
        request: { scheme: 'https', host: 'https-listener.org', path: '/backendtlspolicy' },
        ...tlsBackend,
      },
    ],
  },
];

/** A BackendTLSPolicy whose CA reference cannot be used: not accepted, ResolvedRefs False. */
const unusableCa = (name: string, reason: string): StatusExpectation => ({
  kind: 'BackendTLSPolicy',
  namespace: infra,
  name,
  ancestors: [
    {
      gateway: gw('same-namespace'),
      conditions: [
        { type: 'Accepted', status: 'False' },
        { type: 'ResolvedRefs', status: 'False', reason },
      ],
    },
  ],
});
const noBackend = { status: [500, 502, 503] };

backendTlsPolicyTests.push(
  {
    name: 'BackendTLSPolicyInvalidKind',
    description:
      'A CA reference of an unknown kind: ResolvedRefs False (InvalidKind), no plaintext fallback',
    features: ['Gateway', 'HTTPRoute', 'BackendTLSPolicy'],
    manifests: ['backendtlspolicy-invalid-kind.yaml'],
    statuses: [
      ...accepted(gw('same-namespace'), ['backendtlspolicy-invalid-kind-test']),
      unusableCa('invalid-kind', 'InvalidKind'),
    ],
    requests: [
      {
        request: { host: 'abc.example.com', path: '/backendtlspolicy-invalid-kind' },
        ...noBackend,
      },
    ],
  },
  {
    name: 'BackendTLSPolicyInvalidCACertificateRef',
    description:
      'A missing or malformed CA ConfigMap: ResolvedRefs False (InvalidCACertificateRef), no plaintext fallback',
    features: ['Gateway', 'HTTPRoute', 'BackendTLSPolicy'],
    manifests: ['backendtlspolicy-invalid-ca-certificate-ref.yaml'],
    statuses: [
      ...accepted(gw('same-namespace'), ['backendtlspolicy-invalid-ca-certificate-ref']),
      unusableCa('nonexistent-ca-certificate-ref', 'InvalidCACertificateRef'),
      unusableCa('malformed-ca-certificate-ref', 'InvalidCACertificateRef'),
    ],
    requests: [
      {
        request: {
          host: 'abc.example.com',
          path: '/backendtlspolicy-nonexistent-ca-certificate-ref',
        },
        ...noBackend,
      },
      {
        request: {
          host: 'abc.example.com',
          path: '/backendtlspolicy-malformed-ca-certificate-ref',
        },
        ...noBackend,
      },
    ],
  },
);

/** The policy's status on same-namespace, every condition of its latest generation. */
const bumpPolicyStatus = (accepted: boolean): StatusExpectation => ({
  kind: 'BackendTLSPolicy',
  namespace: infra,
  name: 'observed-generation-bump',
  ancestors: [
    {
      gateway: gw('same-namespace'),
      conditions: accepted ? [{ type: 'Accepted', status: 'True' }] : [],
    },
  ],
  latest: true,
});

backendTlsPolicyTests.push({
  name: 'BackendTLSPolicyObservedGenerationBump',
  description:
    "A BackendTLSPolicy's status conditions follow its generation after a change to its spec",
  features: ['Gateway', 'HTTPRoute', 'BackendTLSPolicy'],
  manifests: ['backendtlspolicy-observed-generation-bump.yaml'],
  statuses: [bumpPolicyStatus(false)],
  steps: async (harness) => {
    const before = harness.generation('BackendTLSPolicy', infra, 'observed-generation-bump');
    await harness.update('BackendTLSPolicy', infra, 'observed-generation-bump', (policy) => {
      (policy.spec as { validation: { hostname: string } }).validation.hostname = 'foo.example.com';
    });
    await harness.expectStatuses([bumpPolicyStatus(true)]);
    const after = harness.generation('BackendTLSPolicy', infra, 'observed-generation-bump');
    if (after === before) throw new Error(`generation ${after} did not change after an update`);
  },
});

/** [path, policy, whether the backend's certificate meets the policy's subjectAltNames]. */
const sanCases: readonly [string, string, boolean][] = [
  ['/backendtlspolicy-san-dns', 'san-dns', true],
  ['/backendtlspolicy-san-dns-mismatch', 'san-dns-mismatch', false],
  ['/backendtlspolicy-san-uri', 'san-uri', true],
  ['/backendtlspolicy-san-uri-mismatch', 'san-uri-mismatch', false],
  ['/backendtlspolicy-multiple-sans', 'multiple-sans', true],
  ['/backendtlspolicy-multiple-mismatch-sans', 'multiple-mismatch-sans', false],
];

backendTlsPolicyTests.push({
  name: 'BackendTLSPolicySANValidation',
  description:
    "subjectAltNames (DNS, URI, several) must match the backend certificate's, else the request fails",
  features: ['Gateway', 'HTTPRoute', 'BackendTLSPolicy', 'BackendTLSPolicySANValidation'],
  manifests: ['backendtlspolicy-san.yaml'],
  statuses: [
    ...accepted(gw('same-namespace'), ['backendtlspolicy-san-test']),
    routeCondition('backendtlspolicy-san-test', gw('same-namespace'), 'ResolvedRefs', 'True'),
    ...sanCases.map(
      ([, policy]): StatusExpectation => ({
        kind: 'BackendTLSPolicy',
        namespace: infra,
        name: policy,
        ancestors: [
          {
            gateway: gw('same-namespace'),
            conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }],
          },
        ],
      }),
    ),
  ],
  // The suite's MakeRequestAndExpectFailure: consistently answered, but not 200.
  requests: sanCases.map(([path, , matches]) => ({
    request: { host: 'abc.example.com', path },
    ...(matches
      ? { ...tlsBackend, backendRequest: { sni: 'abc.example.com' } }
      : upstreamTlsFailure),
  })),
});

const policyAccepted = (name: string, accepted: boolean): StatusExpectation => ({
  kind: 'BackendTLSPolicy',
  namespace: infra,
  name,
  ancestors: [
    {
      gateway: gw('same-namespace'),
      conditions: [
        accepted
          ? { type: 'Accepted', status: 'True', reason: 'Accepted' }
          : { type: 'Accepted', status: 'False', reason: 'Conflicted' },
      ],
    },
  ],
});
/** A request whose backend connection must carry the SNI (the hostname) of the policy that won. */
const viaPolicyHostname = (path: string, sni: string) => ({
  request: { host: 'abc.example.com', path },
  ...tlsBackend,
  backendRequest: { sni },
});

backendTlsPolicyTests.push({
  name: 'BackendTLSPolicyConflictResolution',
  description:
    'Of two BackendTLSPolicies for the same Service port the older wins, the other is Conflicted; a section name is no conflict with a whole-Service policy',
  features: ['Gateway', 'HTTPRoute', 'BackendTLSPolicy'],
  manifests: ['backendtlspolicy-conflict-resolution.yaml'],
  statuses: [
    ...accepted(gw('same-namespace'), ['backendtlspolicy-conflict-resolution']),
    routeCondition(
      'backendtlspolicy-conflict-resolution',
      gw('same-namespace'),
      'ResolvedRefs',
      'True',
    ),
    policyAccepted('conflicted-without-section-name-1', true),
    policyAccepted('conflicted-without-section-name-2', false),
    policyAccepted('conflicted-with-section-name-1', true),
    policyAccepted('conflicted-with-section-name-2', false),
    policyAccepted('not-conflicted-with-section-name', true),
    policyAccepted('not-conflicted-without-section-name', true),
  ],
  requests: [
    viaPolicyHostname('/backendtlspolicy-conflicted-without-section-name', 'other.example.com'),
    viaPolicyHostname('/backendtlspolicy-conflicted-with-section-name', 'other.example.com'),
    viaPolicyHostname('/backendtlspolicy-not-conflicted-with-section-name', 'other.example.com'),
    viaPolicyHostname('/backendtlspolicy-not-conflicted-without-section-name', 'abc.example.com'),
  ],
});

/** A policy accepted with its references resolved, on same-namespace. */
const policyResolved = (name: string): StatusExpectation => ({
  kind: 'BackendTLSPolicy',
  namespace: infra,
  name,
  ancestors: [
    {
      gateway: gw('same-namespace'),
      conditions: [
        { type: 'Accepted', status: 'True', reason: 'Accepted' },
        { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' },
      ],
    },
  ],
});
const UNAVAILABLE = 14;

backendTlsPolicyTests.push({
  name: 'BackendTLSPolicyGRPCRoute',
  description:
    'A BackendTLSPolicy on a GRPCRoute backend: gRPC over TLS to it works, a wrong hostname or CA fails',
  features: ['Gateway', 'GRPCRoute', 'BackendTLSPolicy'],
  manifests: ['backendtlspolicy-grpcroute.yaml'],
  statuses: [
    ...accepted(
      gw('same-namespace'),
      ['backendtlspolicy-grpcroute', 'backendtlspolicy-grpcroute-cert-mismatch'],
      'GRPCRoute',
    ),
    policyResolved('grpc-normative-test'),
    policyResolved('grpc-host-mismatch'),
    policyResolved('grpc-cert-mismatch'),
  ],
  // The suite's MakeRequestAndExpectEventuallyConsistentFailure: consistently not OK; Envoy
  // answers a failed upstream TLS handshake with UNAVAILABLE.
  grpcRequests: [
    {
      method: 'Echo',
      authority: 'abc.example.com',
      backend: 'grpc-infra-backend-v1',
      namespace: infra,
    },
    { method: 'EchoTwo', authority: 'abc.example.com', code: UNAVAILABLE },
    { method: 'Echo', authority: 'cert-mismatch.example.com', code: UNAVAILABLE },
  ],
});
