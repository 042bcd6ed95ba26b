// Envoy Gateway's tracing e2e tests (tracing.go: OpenTelemetryTracing, ZipkinTracing,
// DatadogTracing; btp_tracing.go: BTPTracing), re-expressed: the same manifests and requests, and
// the same tag searches (component, provider, service.name, span name) over the spans the stand-in
// collector received instead of Tempo. The ControlPlane case (egts's own traces) and the health
// check event log of the tracing backend are not re-expressed: egts does not trace itself, and
// health check event logs are BackendTrafficPolicy's (#18).
import type { ConformanceTest, HttpExpectation, TestHarness } from '../../conformanceTest.js';
import { accepted, gw, infra } from '../../conformanceTest.js';
import { expectCountRises, expectNothingBefore, received, spansWith } from './telemetryQuery.js';

/** Envoy Gateway's naming.ServiceName: `<gateway>.<namespace>`, the default service name. */
const serviceName = (gateway: string) => `${gateway}.${infra}`;

const get = (gateway: string, path: string, backend: string, host?: string): HttpExpectation => ({
  gateway: gw(gateway),
  request: { path, ...(host ? { host } : {}) },
  backend,
});

/** The upstream tracing.ExpectedTraceCount: spans with these tags grow after the requests. */
const expectTraces = (
  harness: TestHarness,
  label: string,
  request: HttpExpectation,
  tags: Readonly<Record<string, string>>,
) =>
  expectCountRises(
    harness,
    `${label} (${JSON.stringify(tags)})`,
    async () => spansWith((await received(harness)).spans, tags),
    request,
  );

/** Envoy's tracers flush every 5 s; a zero sampling fraction must still send nothing after one. */
const FLUSH_MS = 6_000;

export const telemetryTracingTests = (): ConformanceTest[] => [
  {
    name: 'OpenTelemetryTracing',
    description: 'Make sure OpenTelemetry tracing is working (default and custom service name)',
    features: ['EnvoyProxyTelemetry'],
    manifests: [
      'tracing-otel.yaml',
      'tracing-otel-custom-service-name.yaml',
      'tracing-otel-sampling-fractions.yaml',
    ],
    statuses: [
      ...accepted(gw('tracing-otel'), ['tracing-otel']),
      ...accepted(gw('tracing-otel-custom-service-name'), ['tracing-otel-custom-service-name']),
      ...accepted(gw('tracing-otel-overall-sampling-zero'), ['tracing-otel-overall-sampling-zero']),
      ...accepted(gw('tracing-otel-client-sampling-zero'), ['tracing-otel-client-sampling-zero']),
    ],
    steps: async (harness) => {
      await expectTraces(
        harness,
        'default-service-name',
        get('tracing-otel', '/otel', 'infra-backend-v1'),
        { component: 'proxy', provider: 'otel', 'service.name': serviceName('tracing-otel') },
      );
      await expectTraces(
        harness,
        'custom-service-name',
        get('tracing-otel-custom-service-name', '/custom-service', 'infra-backend-v1'),
        { component: 'proxy', provider: 'otel', 'service.name': 'my-custom-service' },
      );
      // OverallSamplingFractionZero and ClientSamplingFractionZero (a client-forced trace): no
      // span of theirs, once a sampled request on tracing-otel has arrived and a flush passed.
      for (const [name, headers] of [
        ['otel-overall-sampling-zero', {}],
        ['otel-client-sampling-zero', { 'x-client-trace-id': 'force-client-trace' }],
      ] as const) {
        const gateway = `tracing-${name}`;
        await expectNothingBefore(
          harness,
          name,
          async () => {
            const { spans } = await received(harness);
            return {
              unmatched: spansWith(spans, {
                component: 'proxy',
                provider: name,
                'service.name': serviceName(gateway),
              }),
              marker: spansWith(spans, { provider: 'otel' }),
            };
          },
          {
            gateway: gw(gateway),
            request: { path: `/${name}`, headers },
            backend: 'infra-backend-v1',
          },
          get('tracing-otel', '/otel', 'infra-backend-v1'),
          FLUSH_MS,
        );
      }
    },
  },
  {
    name: 'ZipkinTracing',
    description: 'Make sure Zipkin tracing is working',
    features: ['EnvoyProxyTelemetry'],
    manifests: ['tracing-zipkin.yaml', 'tracing-zipkin-span-name.yaml'],
    statuses: [
      ...accepted(gw('tracing-zipkin'), ['tracing-zipkin']),
      ...accepted(gw('tracing-span-name'), ['tracing-span-name']),
    ],
    steps: async (harness) => {
      // The span is named after the request's authority (the suite sends to the Gateway's
      // address); the service name is the node's cluster (`<namespace>/<name>`).
      const host = 'zipkin.example.com';
      await expectTraces(
        harness,
        'Default',
        get('tracing-zipkin', '/zipkin', 'infra-backend-v2', host),
        {
          component: 'proxy',
          provider: 'zipkin',
          name: host,
          'service.name': `${infra}/tracing-zipkin`,
        },
      );
      // spanName: the authority then the path.
      await expectTraces(
        harness,
        'SpanName',
        get('tracing-span-name', '/span-name', 'infra-backend-v1', host),
        {
          component: 'proxy',
          provider: 'zipkin',
          name: `${host}/span-name`,
          'service.name': `${infra}/tracing-span-name`,
        },
      );
    },
  },
  {
    name: 'DatadogTracing',
    description: 'Make sure Datadog tracing is working (default and custom service name)',
    features: ['EnvoyProxyTelemetry'],
    manifests: ['tracing-datadog.yaml', 'tracing-datadog-custom-service-name.yaml'],
    statuses: [
      ...accepted(gw('eg-special-case-datadog'), ['tracing-datadog']),
      ...accepted(gw('tracing-datadog-custom-service-name'), [
        'tracing-datadog-custom-service-name',
      ]),
    ],
    steps: async (harness) => {
      await expectTraces(
        harness,
        'default-service-name',
        get('eg-special-case-datadog', '/datadog', 'infra-backend-v2'),
        {
          component: 'proxy',
          provider: 'datadog',
          'service.name': serviceName('eg-special-case-datadog'),
        },
      );
      await expectTraces(
        harness,
        'custom-service-name',
        get('tracing-datadog-custom-service-name', '/datadog-custom-service', 'infra-backend-v2'),
        { component: 'proxy', provider: 'datadog', 'service.name': 'my-custom-service' },
      );
    },
  },
  {
    name: 'BTPTracing',
    description: 'Test BackendTrafficPolicy tracing on HTTPRoute',
    features: ['EnvoyProxyTelemetry', 'BackendTrafficPolicyTelemetry'],
    manifests: ['btp-tracing.yaml'],
    statuses: [
      ...accepted(gw('tracing-otel'), ['no-override', 'override']),
      {
        kind: 'BackendTrafficPolicy',
        namespace: infra,
        name: 'btp-tracing',
        ancestors: [
          { gateway: gw('tracing-otel'), conditions: [{ type: 'Accepted', status: 'True' }] },
        ],
      },
    ],
    steps: async (harness) => {
      // NonOverride: the EnvoyProxy's tags; Override: the policy's tags on its route.
      await expectTraces(harness, 'NonOverride', get('tracing-otel', '/otel', 'infra-backend-v1'), {
        component: 'proxy',
        provider: 'otel',
        'service.name': serviceName('tracing-otel'),
      });
      await expectTraces(
        harness,
        'Override',
        get('tracing-otel', '/otel-override', 'infra-backend-v1'),
        {
          component: 'proxy',
          provider: 'otel-override',
          'service.name': serviceName('tracing-otel'),
        },
      );
    },
  },
];
