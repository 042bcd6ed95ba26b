// Gateway and GatewayClass tests of every profile: listener and Gateway conditions, attached
// routes, certificate references, generations (conformance/tests/gateway*.go).
import {
  accepted,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  routeCondition,
  type StatusExpectation,
  type TestHarness,
} from '../conformanceTest.js';

type Condition = { type: string; status: 'True' | 'False'; reason?: string };
const isTrue = (type: string, reason?: string): Condition => ({
  type,
  status: 'True',
  ...(reason ? { reason } : {}),
});
const isFalse = (type: string, reason?: string): Condition => ({
  type,
  status: 'False',
  ...(reason ? { reason } : {}),
});

const gatewayStatus = (
  name: string,
  conditions: Condition[],
  listeners: Extract<StatusExpectation, { listeners?: unknown }>['listeners'] = [],
): StatusExpectation => ({ kind: 'Gateway', namespace: infra, name, conditions, listeners });

const programmed = [isTrue('Accepted'), isTrue('Programmed')];

/** A listener whose certificate reference is refused or broken. */
const badCertificate = (gateway: string, reason: string): StatusExpectation =>
  gatewayStatus(
    gateway,
    [],
    [
      {
        name: 'https',
        supportedKinds: ['HTTPRoute'],
        attachedRoutes: 0,
        conditions: [isFalse('ResolvedRefs', reason)],
      },
    ],
  );

/** A listener whose cross-namespace certificate is granted. */
const grantedCertificate = (gateway: string): StatusExpectation =>
  gatewayStatus(gateway, programmed, [
    {
      name: 'https',
      supportedKinds: ['HTTPRoute'],
      attachedRoutes: 0,
      conditions: [isTrue('Accepted'), isTrue('ResolvedRefs'), isTrue('Programmed')],
    },
  ]);

export const gatewayTests: ConformanceTest[] = [
  {
    name: 'GatewayClassObservedGenerationBump',
    description: 'GatewayClass conditions follow a spec change to the new generation',
    features: ['Gateway'],
    manifests: ['gatewayclass-observed-generation-bump.yaml'],
    statuses: [
      {
        kind: 'GatewayClass',
        name: 'gatewayclass-observed-generation-bump',
        conditions: [isTrue('Accepted')],
      },
    ],
    steps: async (harness) => {
      await harness.update(
        'GatewayClass',
        undefined,
        'gatewayclass-observed-generation-bump',
        (gc) => {
          gc.spec!.description = 'new';
        },
      );
      if (
        harness.generation('GatewayClass', undefined, 'gatewayclass-observed-generation-bump') !== 2
      )
        throw new Error('the GatewayClass generation did not move');
      await harness.expectStatuses([
        {
          kind: 'GatewayClass',
          name: 'gatewayclass-observed-generation-bump',
          conditions: [isTrue('Accepted')],
        },
      ]);
    },
  },
  {
    name: 'GatewayObservedGenerationBump',
    description: 'Gateway conditions follow a spec change to the new generation',
    features: ['Gateway'],
    manifests: ['gateway-observed-generation-bump.yaml'],
    statuses: [gatewayStatus('gateway-observed-generation-bump', programmed)],
    steps: async (harness) => {
      await harness.update('Gateway', infra, 'gateway-observed-generation-bump', (gateway) => {
        const listeners = gateway.spec!.listeners as unknown[];
        listeners.push({
          name: 'alternate',
          port: 80,
          protocol: 'HTTP',
          hostname: 'foo.com',
          allowedRoutes: { namespaces: { from: 'All' } },
        });
      });
      await harness.expectStatuses([
        gatewayStatus('gateway-observed-generation-bump', programmed, [
          { name: 'http', conditions: [isTrue('Accepted'), isTrue('Programmed')] },
          { name: 'alternate', conditions: [isTrue('Accepted'), isTrue('Programmed')] },
        ]),
      ]);
    },
  },
  {
    name: 'GatewayWithAttachedRoutes',
    description: 'Listeners count the routes attached to them, accepted or with unresolved refs',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['gateway-with-attached-routes.yaml'],
    statuses: [
      gatewayStatus('gateway-with-one-attached-route', programmed, [
        {
          name: 'http',
          supportedKinds: ['HTTPRoute'],
          attachedRoutes: 1,
          conditions: [isTrue('Accepted'), isTrue('ResolvedRefs')],
        },
      ]),
      gatewayStatus('gateway-with-two-attached-routes', programmed, [
        {
          name: 'http',
          supportedKinds: ['HTTPRoute'],
          attachedRoutes: 2,
          conditions: [isTrue('Accepted'), isTrue('ResolvedRefs')],
        },
      ]),
      gatewayStatus(
        'unresolved-gateway-with-one-attached-unresolved-route',
        [],
        [
          {
            name: 'tls',
            supportedKinds: ['HTTPRoute'],
            attachedRoutes: 1,
            conditions: [
              isFalse('Programmed', 'Invalid'),
              isFalse('ResolvedRefs', 'InvalidCertificateRef'),
            ],
          },
        ],
      ),
      {
        kind: 'HTTPRoute',
        namespace: infra,
        name: 'http-route-4',
        parents: [
          {
            gateway: gw('unresolved-gateway-with-one-attached-unresolved-route'),
            conditions: [isTrue('Accepted'), isFalse('ResolvedRefs', 'BackendNotFound')],
          },
        ],
      },
    ],
  },
  {
    name: 'GatewayInvalidRouteKind',
    description: 'Listeners allowing unknown route kinds: ResolvedRefs False (InvalidRouteKinds)',
    features: ['Gateway'],
    manifests: ['gateway-invalid-route-kind.yaml'],
    statuses: [
      gatewayStatus(
        'gateway-only-invalid-route-kind',
        [],
        [
          {
            name: 'http',
            supportedKinds: [],
            attachedRoutes: 0,
            conditions: [isFalse('ResolvedRefs', 'InvalidRouteKinds')],
          },
        ],
      ),
      gatewayStatus(
        'gateway-supported-and-invalid-route-kind',
        [],
        [
          {
            name: 'http',
            supportedKinds: ['HTTPRoute'],
            attachedRoutes: 0,
            conditions: [isFalse('ResolvedRefs', 'InvalidRouteKinds')],
          },
        ],
      ),
    ],
  },
  {
    name: 'GatewayInvalidTLSConfiguration',
    description:
      'Missing, wrong-group, wrong-kind and malformed certificates: InvalidCertificateRef',
    features: ['Gateway'],
    manifests: ['gateway-invalid-tls-configuration.yaml'],
    statuses: [
      'gateway-certificate-nonexistent-secret',
      'gateway-certificate-unsupported-group',
      'gateway-certificate-unsupported-kind',
      'gateway-certificate-malformed-secret',
    ].map((name) =>
      gatewayStatus(
        name,
        [],
        [{ name: 'https', conditions: [isFalse('ResolvedRefs', 'InvalidCertificateRef')] }],
      ),
    ),
  },
  {
    name: 'GatewayListenerUnsupportedProtocol',
    description: 'Listeners of unknown protocols are not accepted; the Gateway only if none is',
    features: ['Gateway'],
    manifests: ['gateway-invalid-listeners-unsupported-protocol.yaml'],
    statuses: [
      gatewayStatus(
        'gateway-only-unsupported-protocols',
        [isFalse('Accepted', 'ListenersNotValid')],
        [
          {
            name: 'invalid',
            supportedKinds: [],
            attachedRoutes: 0,
            conditions: [isFalse('Accepted', 'UnsupportedProtocol')],
          },
        ],
      ),
      gatewayStatus(
        'gateway-supported-and-unsupported-protocols',
        [isTrue('Accepted', 'ListenersNotValid')],
        [
          {
            name: 'http',
            supportedKinds: ['HTTPRoute'],
            attachedRoutes: 0,
            conditions: [isTrue('Accepted', 'Accepted')],
          },
          {
            name: 'invalid',
            supportedKinds: [],
            attachedRoutes: 0,
            conditions: [isFalse('Accepted', 'UnsupportedProtocol')],
          },
        ],
      ),
    ],
  },
  {
    name: 'GatewaySecretMissingReferenceGrant',
    description: 'A certificate in another namespace without a ReferenceGrant: RefNotPermitted',
    features: ['Gateway', 'ReferenceGrant'],
    manifests: ['gateway-secret-missing-reference-grant.yaml'],
    statuses: [badCertificate('gateway-secret-missing-reference-grant', 'RefNotPermitted')],
  },
  {
    name: 'GatewaySecretInvalidReferenceGrant',
    description: 'ReferenceGrants that do not match the certificate reference grant nothing',
    features: ['Gateway', 'ReferenceGrant'],
    manifests: ['gateway-secret-invalid-reference-grant.yaml'],
    statuses: [badCertificate('gateway-secret-invalid-reference-grant', 'RefNotPermitted')],
  },
  {
    name: 'GatewaySecretReferenceGrantAllInNamespace',
    description: 'A ReferenceGrant to every Secret of a namespace grants the certificate',
    features: ['Gateway', 'ReferenceGrant'],
    manifests: ['gateway-secret-reference-grant-all-in-namespace.yaml'],
    statuses: [grantedCertificate('gateway-secret-reference-grant-all-in-namespace')],
  },
  {
    name: 'GatewaySecretReferenceGrantSpecific',
    description: 'A ReferenceGrant naming the Secret grants the certificate',
    features: ['Gateway', 'ReferenceGrant'],
    manifests: ['gateway-secret-reference-grant-specific.yaml'],
    statuses: [grantedCertificate('gateway-secret-reference-grant-specific')],
  },
  {
    name: 'GatewayModifyListeners',
    description: 'Adding and removing listeners updates listener status and attached routes',
    features: ['Gateway'],
    manifests: ['gateway-modify-listeners.yaml'],
    statuses: [
      ...accepted(gw('gateway-add-listener'), ['http-route-1']),
      ...accepted(gw('gateway-remove-listener'), ['http-route-2']),
    ],
    steps: async (harness) => {
      await harness.update('Gateway', infra, 'gateway-add-listener', (gateway) => {
        (gateway.spec!.listeners as unknown[]).push({
          name: 'http',
          port: 80,
          protocol: 'HTTP',
          allowedRoutes: { namespaces: { from: 'All' } },
        });
      });
      const ready = [isTrue('Accepted'), isTrue('ResolvedRefs'), isTrue('Programmed')];
      await harness.expectStatuses([
        gatewayStatus('gateway-add-listener', programmed, [
          { name: 'https', supportedKinds: ['HTTPRoute'], attachedRoutes: 1, conditions: ready },
          { name: 'http', supportedKinds: ['HTTPRoute'], attachedRoutes: 1, conditions: ready },
        ]),
      ]);
      await harness.update('Gateway', infra, 'gateway-remove-listener', (gateway) => {
        gateway.spec!.listeners = (gateway.spec!.listeners as Array<{ name: string }>).filter(
          (l) => l.name !== 'https',
        );
      });
      await harness.expectStatuses([
        gatewayStatus('gateway-remove-listener', programmed, [
          { name: 'http', supportedKinds: ['HTTPRoute'], attachedRoutes: 1, conditions: ready },
        ]),
      ]);
    },
  },
];

gatewayTests.push(
  {
    name: 'GatewayInvalidParametersRef',
    description: 'A parametersRef to an unknown kind: Accepted False (InvalidParameters)',
    features: ['Gateway'],
    manifests: ['gateway-invalid-parameters-ref.yaml'],
    statuses: [
      gatewayStatus('gateway-invalid-parameters-ref', [isFalse('Accepted', 'InvalidParameters')]),
    ],
  },
  {
    name: 'GatewayNameMaximumLength',
    description: 'A Gateway with a 253-character name is reconciled (conditions of its generation)',
    features: ['Gateway'],
    manifests: ['gateway-name-maximum-length.yaml'],
    statuses: [
      gatewayStatus(
        `gateway-name-maximum-length-${'a'.repeat(253 - 'gateway-name-maximum-length-'.length)}`,
        [{ type: 'Accepted', status: 'True' }],
      ),
    ],
  },
);

gatewayTests.push({
  name: 'GatewayOptionalAddressValue',
  description:
    'A Gateway address of type IPAddress without a value: the implementation assigns one (GatewayAddressEmpty)',
  features: ['Gateway', 'GatewayAddressEmpty'],
  provisional: true,
  manifests: ['gateway-optional-address-value.yaml'],
  skip: "needs Kubernetes: egts gives a Gateway status.addresses from its proxy Service (Kubernetes mode, apps/gateway's withInfraStatus); host infrastructure assigns none, so the Gateway's status has no address",
  statuses: [
    {
      kind: 'Gateway',
      namespace: infra,
      name: 'gateway-without-address-value',
      latest: true,
      hasAddress: true,
    },
  ],
});

const listener = (name: string, conditions: Condition[]) => ({ name, conditions });
const listenerReady = [isTrue('ResolvedRefs'), isTrue('Accepted'), isTrue('Programmed')];
/** A listener whose client-certificate CA cannot be used: not accepted (NoValidCACertificate). */
const noValidCa = (resolvedRefsReason: string) => [
  isFalse('ResolvedRefs', resolvedRefsReason),
  isFalse('Accepted', 'NoValidCACertificate'),
  isFalse('Programmed'),
];

gatewayTests.push(
  {
    name: 'GatewayInvalidFrontendClientCertificateValidation',
    description:
      'An unusable client-certificate CA (missing, wrong kind, not granted) fails only the listeners of its port',
    features: [
      'Gateway',
      'HTTPRoute',
      'ReferenceGrant',
      'GatewayFrontendClientCertificateValidation',
    ],
    manifests: ['gateway-with-invalid-clientcertificate-validation.yaml'],
    statuses: [
      {
        kind: 'Gateway',
        namespace: infra,
        name: 'gateway-with-invalid-client-cert-validation',
        someListeners: [
          listener('https', listenerReady),
          listener('https-unresolved', noValidCa('InvalidCACertificateRef')),
          listener('https-invalid-kind', noValidCa('InvalidCACertificateKind')),
          listener('https-grant-missing', noValidCa('RefNotPermitted')),
        ],
      },
    ],
  },
  {
    name: 'GatewayFrontendInvalidDefaultClientCertificateValidation',
    description:
      'An unusable default client-certificate CA fails the HTTPS listener and leaves the HTTP one serving',
    features: ['Gateway', 'HTTPRoute', 'GatewayFrontendClientCertificateValidation'],
    manifests: ['gateway-invalid-default-frontend-client-certificate-validation.yaml'],
    statuses: [
      {
        kind: 'Gateway',
        namespace: infra,
        name: 'invalid-default-client-validation-config',
        someListeners: [
          listener('http', listenerReady),
          listener('https', noValidCa('InvalidCACertificateRef')),
        ],
      },
    ],
    requests: [
      {
        gateway: gw('invalid-default-client-validation-config'),
        request: { host: 'example.org', path: '/' },
        backend: 'infra-backend-v1',
        namespace: infra,
      },
    ],
    // The suite's MakeTLSRequestAndExpectFailureResponse: one HTTPS request, which must not be answered.
    steps: async (harness) => {
      const result = await harness.send({
        gateway: gw('invalid-default-client-validation-config'),
        request: { scheme: 'https', serverName: 'example.org', host: 'example.org', path: '/' },
      });
      if (!(result instanceof Error))
        throw new Error(
          `HTTPS request to the invalid listener answered ${result.status}, want no answer`,
        );
    },
  },
);

/** [Gateway, ResolvedRefs reason] of each unusable backend client certificate. */
const invalidBackendTls: readonly [string, string][] = [
  ['gateway-client-certificate-nonexistent-secret', 'InvalidClientCertificateRef'],
  ['gateway-client-certificate-unsupported-group', 'InvalidClientCertificateRef'],
  ['gateway-client-certificate-unsupported-kind', 'InvalidClientCertificateRef'],
  ['gateway-client-certificate-malformed-secret', 'InvalidClientCertificateRef'],
  ['gateway-client-certificate-missing-reference-grant', 'RefNotPermitted'],
];

gatewayTests.push({
  name: 'GatewayInvalidTLSBackendConfiguration',
  description:
    'An unusable backend client certificate (missing, wrong group or kind, malformed, not granted): Gateway ResolvedRefs False, still Accepted',
  features: ['Gateway', 'GatewayBackendClientCertificate', 'HTTPRoute', 'BackendTLSPolicy'],
  manifests: ['gateway-invalid-tls-backend-configuration.yaml'],
  statuses: invalidBackendTls.map(
    ([name, reason]): StatusExpectation => ({
      kind: 'Gateway',
      namespace: infra,
      name,
      conditions: [isFalse('ResolvedRefs', reason), isTrue('Accepted', 'Accepted')],
      latest: true,
    }),
  ),
});

const clientValidation = gw('client-validation-default');
const clientCert = { namespace: infra, name: 'tls-validity-checks-client-certificate' };
const perPortClientCert = {
  namespace: infra,
  name: 'tls-validity-checks-per-port-client-certificate',
};
/** An HTTPS request to client-validation-default presenting `certificate`. */
const mtls = (
  port: number,
  host: string,
  certificate: { namespace: string; name: string },
): HttpExpectation => ({
  gateway: clientValidation,
  port,
  request: { scheme: 'https', host, serverName: host, path: '/', clientCertificate: certificate },
});

/** The suite's MakeTLSRequestAndExpectFailureResponse: one request, which must not be answered. */
const expectNoAnswer = async (harness: TestHarness, expected: HttpExpectation, what: string) => {
  const result = await harness.send(expected);
  if (!(result instanceof Error))
    throw new Error(`${what}: answered ${result.status}, want the request to fail`);
};

gatewayTests.push({
  name: 'GatewayFrontendClientCertificateValidation',
  description:
    "HTTPS listeners require a client certificate of the Gateway's default CA, or of their port's CA",
  features: ['Gateway', 'HTTPRoute', 'GatewayFrontendClientCertificateValidation'],
  manifests: ['gateway-with-clientcertificate-validation.yaml'],
  statuses: [
    ...accepted(clientValidation, [
      'client-certificate-validation-https-test',
      'client-certificate-validation-https-test-no-hostname',
    ]),
    ...[
      'client-certificate-validation-https-test',
      'client-certificate-validation-https-test-no-hostname',
    ].map((route) => routeCondition(route, clientValidation, 'ResolvedRefs', 'True')),
  ],
  requests: [
    { ...mtls(443, 'example.org', clientCert), backend: 'infra-backend-v1', namespace: infra },
    {
      ...mtls(8443, 'second-example.org', perPortClientCert),
      backend: 'infra-backend-v2',
      namespace: infra,
    },
  ],
  steps: async (harness) => {
    await expectNoAnswer(
      harness,
      mtls(443, 'example.org', perPortClientCert),
      'port 443 with the per-port CA client certificate',
    );
    await expectNoAnswer(
      harness,
      mtls(8443, 'second-example.org', clientCert),
      'port 8443 with the default CA client certificate',
    );
  },
});

const insecureFallback = gw('client-validation-insecure-fallback');
const fallbackRoutes = [
  'client-cert-validation-insecure-fallback-test',
  'client-cert-validation-insecure-fallback-test-no-hostname',
];

gatewayTests.push({
  name: 'GatewayFrontendClientCertificateValidationInsecureFallback',
  description:
    'AllowInsecureFallback: HTTPS listeners answer with a client certificate of their CA, of another CA, or none',
  features: [
    'Gateway',
    'HTTPRoute',
    'GatewayFrontendClientCertificateValidation',
    'GatewayFrontendClientCertificateValidationInsecureFallback',
  ],
  manifests: ['gateway-with-clientcertificate-validation-insecure-fallback.yaml'],
  statuses: [
    ...accepted(insecureFallback, fallbackRoutes),
    ...fallbackRoutes.map((route) =>
      routeCondition(route, insecureFallback, 'ResolvedRefs', 'True'),
    ),
    {
      kind: 'Gateway',
      ...insecureFallback,
      conditions: [isTrue('InsecureFrontendValidationMode', 'ConfigurationChanged')],
    },
  ],
  requests: (
    [
      [443, 'example.org', 'infra-backend-v1'],
      [8443, 'second-example.org', 'infra-backend-v2'],
    ] as const
  ).flatMap(([port, host, backend]) =>
    [clientCert, perPortClientCert, undefined].map(
      (certificate): HttpExpectation => ({
        gateway: insecureFallback,
        port,
        request: {
          scheme: 'https',
          host,
          serverName: host,
          path: '/',
          ...(certificate ? { clientCertificate: certificate } : {}),
        },
        backend,
        namespace: infra,
      }),
    ),
  ),
});

gatewayTests.push({
  name: 'GatewayTLSBackendClientCertificate',
  description:
    "A Gateway's spec.tls.backend client certificate is presented on TLS connections to backends",
  features: ['Gateway', 'GatewayBackendClientCertificate', 'HTTPRoute', 'BackendTLSPolicy'],
  manifests: ['gateway-tls-backend-client-certificate.yaml'],
  statuses: [
    ...accepted(gw('gateway-tls-backend-client-certificate'), [
      'gateway-tls-backend-client-certificate',
    ]),
    routeCondition(
      'gateway-tls-backend-client-certificate',
      gw('gateway-tls-backend-client-certificate'),
      'ResolvedRefs',
      'True',
    ),
    {
      kind: 'BackendTLSPolicy',
      namespace: infra,
      name: 'gateway-tls-backend-client-certificate-test',
      ancestors: [
        {
          gateway: gw('gateway-tls-backend-client-certificate'),
          conditions: [{ type: 'Accepted', status: 'True' }],
        },
      ],
    },
    {
      kind: 'Gateway',
      namespace: infra,
      name: 'gateway-tls-backend-client-certificate',
      conditions: [isTrue('ResolvedRefs', 'ResolvedRefs')],
    },
  ],
  requests: [
    {
      gateway: gw('gateway-tls-backend-client-certificate'),
      request: { host: 'abc.example.com', path: '/' },
      backend: 'tls-backend-with-client-cert-validation',
      namespace: infra,
      backendRequest: {
        sni: 'abc.example.com',
        clientCertificate: { namespace: infra, name: 'tls-checks-client-certificate' },
      },
    },
  ],
});
