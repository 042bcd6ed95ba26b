// Envoy Gateway's access log e2e tests (accesslog.go: FileAccessLog, OpenTelemetryTextAccessLog,
// OpenTelemetryAccessLogJSON, OpenTelemetryAccessLogJSONAsDefault, ALS), re-expressed: the same
// manifests, requests and counts, with the stand-in collector of the telemetry add-on in place of
// the OpenTelemetry Collector and Loki, and the proxy's own stdout in place of its container log.
// Each request carries a fresh query marker so that its records are counted apart from every
// other test's.
import { randomUUID } from 'node:crypto';
import {
  accepted,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  type KubeObject,
  type TestHarness,
} from '../../conformanceTest.js';
import { GATEWAY_CLASS_NAME } from '../../internal/harness.js';
import type { ReceivedTelemetry } from '../../internal/otlpReceiver.js';
import { expectCountRises, expectNothingBefore, received } from './telemetryQuery.js';

const accessLogGateway = gw('accesslog-gtw');

const request = (
  path: string,
  marker: string,
  logged: boolean,
  backend: string,
): HttpExpectation => ({
  gateway: accessLogGateway,
  request: {
    path: `${path}?egts-case=${marker}`,
    ...(logged ? { headers: { 'x-envoy-logged': '1' } } : {}),
  },
  backend,
});

/** OpenTelemetry records of the sinks' resource (`k8s.cluster.name`) that name the marker. */
const otelRecords = (telemetry: ReceivedTelemetry, marker: string): number =>
  telemetry.logs.filter(
    (log) =>
      log.resource['k8s.cluster.name'] === 'envoy-gateway' &&
      JSON.stringify(log.body).includes(marker),
  ).length;

/**
 * The upstream Positive and Negative cases: a request with `x-envoy-logged` (the settings' CEL
 * match) reaches the collector; one without it does not.
 */
const otelPositiveAndNegative =
  (check: (telemetry: ReceivedTelemetry, marker: string) => string | undefined) =>
  async (harness: TestHarness) => {
    const positive = randomUUID();
    await expectCountRises(
      harness,
      'Positive',
      async () => otelRecords(await received(harness), positive),
      request('/otel', positive, true, 'infra-backend-v2'),
    );
    const problem = check(await received(harness), positive);
    if (problem) throw new Error(`Positive: ${problem}`);
    const unmatched = randomUUID();
    const marker = randomUUID();
    await expectNothingBefore(
      harness,
      'Negative',
      async () => {
        const telemetry = await received(harness);
        return {
          unmatched: otelRecords(telemetry, unmatched),
          marker: otelRecords(telemetry, marker),
        };
      },
      request('/otel', unmatched, false, 'infra-backend-v2'),
      request('/otel', marker, true, 'infra-backend-v2'),
    );
  };

/** The first record naming the marker. */
const firstBody = (telemetry: ReceivedTelemetry, marker: string): unknown =>
  telemetry.logs.find((log) => JSON.stringify(log.body).includes(marker))?.body;

/**
 * The access logs Envoy Gateway's e2e install gives its GatewayClass (test/config's EnvoyProxy,
 * which the suite folder does not carry): a text log to stdout naming the route's metadata for
 * requests marked `x-envoy-logged`, a listener log, and an upstream log for requests marked
 * `x-envoy-upstream-logged`.
 */
const classAccessLogs = {
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'EnvoyProxy',
  metadata: { name: 'file-access-log', namespace: infra },
  spec: {
    telemetry: {
      accessLog: {
        settings: [
          {
            format: {
              type: 'Text',
              text: '[%START_TIME%] %METADATA(ROUTE:envoy-gateway:resources)% "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"\n',
            },
            matches: ["'x-envoy-logged' in request.headers"],
            sinks: [{ type: 'File', file: { path: '/dev/stdout' } }],
          },
          {
            type: 'Listener',
            format: {
              type: 'Text',
              text: 'LISTENER [%START_TIME%] "%PROTOCOL%" %RESPONSE_CODE% %DOWNSTREAM_REMOTE_ADDRESS%\n',
            },
            sinks: [{ type: 'File', file: { path: '/dev/stdout' } }],
          },
          {
            type: 'Upstream',
            format: {
              type: 'Text',
              text: 'UPSTREAM [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%" %RESPONSE_CODE% "%UPSTREAM_HOST%"\n',
            },
            matches: ["'x-envoy-upstream-logged' in request.headers"],
            sinks: [{ type: 'File', file: { path: '/dev/stdout' } }],
          },
        ],
      },
    },
  },
} satisfies KubeObject;

/** Lines of the same-namespace proxy's stdout that contain all of `parts`. */
const stdoutLines = (harness: TestHarness, ...parts: string[]) =>
  harness
    .proxyOutput()
    .split('\n')
    .filter((line) => parts.every((part) => line.includes(part))).length;

const fileRequest = (
  marker: string,
  headers: Record<string, string>,
  path = '/file',
  status = 200,
): HttpExpectation => ({
  request: { path: `${path}?egts-case=${marker}`, headers },
  ...(status === 200 ? { backend: 'infra-backend-v1' } : { status }),
});

const fileAccessLogTest: ConformanceTest = {
  name: 'FileAccessLog',
  description: 'Make sure file access log is working',
  features: ['EnvoyProxyTelemetry'],
  manifests: ['accesslog-file.yaml'],
  objects: [classAccessLogs],
  statuses: accepted(gw('same-namespace'), ['accesslog-file']),
  steps: async (harness) => {
    // The e2e install's GatewayClass carries these access logs; here the suite's class gets them
    // for this test (and its own parameters back afterwards).
    await harness.update('GatewayClass', undefined, GATEWAY_CLASS_NAME, (gatewayClass) => {
      gatewayClass.spec = {
        ...gatewayClass.spec,
        parametersRef: {
          group: 'gateway.envoyproxy.io',
          kind: 'EnvoyProxy',
          name: classAccessLogs.metadata.name,
          namespace: infra,
        },
      };
    });
    const match = 'test-annotation-value';
    // Positive: the route's metadata (its gateway.envoyproxy.io/ annotation) in the text line.
    const positive = randomUUID();
    await expectCountRises(
      harness,
      'Positive',
      async () => stdoutLines(harness, match, positive),
      fileRequest(positive, { 'x-envoy-logged': '1' }),
    );
    // Negative: no line for a request without x-envoy-logged.
    const unmatched = randomUUID();
    const marker = randomUUID();
    await expectNothingBefore(
      harness,
      'Negative',
      async () => ({
        unmatched: stdoutLines(harness, match, unmatched),
        marker: stdoutLines(harness, match, marker),
      }),
      fileRequest(unmatched, {}),
      fileRequest(marker, { 'x-envoy-logged': '1' }),
    );
    // Listener Logs: the connection of a request no route matched, logged by the listener.
    await expectCountRises(
      harness,
      'Listener Logs',
      async () => stdoutLines(harness, 'LISTENER'),
      fileRequest(
        randomUUID(),
        { connection: 'close', 'x-envoy-listener-logged': '1' },
        '/path-that-does-not-exist',
        404,
      ),
    );
    // Upstream Logs: the router's log of the upstream request.
    const upstream = randomUUID();
    await expectCountRises(
      harness,
      'Upstream Logs',
      async () => stdoutLines(harness, 'UPSTREAM', upstream),
      fileRequest(upstream, { connection: 'close', 'x-envoy-upstream-logged': '1' }),
    );
  },
};

export const telemetryAccessLogTests = (): ConformanceTest[] => [
  fileAccessLogTest,
  {
    name: 'OpenTelemetryTextAccessLog',
    description: 'Make sure OpenTelemetry text access log is working',
    features: ['EnvoyProxyTelemetry'],
    manifests: ['accesslog-otel.yaml'],
    statuses: accepted(accessLogGateway, ['accesslog-otel']),
    // The text format: each record's body is the formatted line.
    steps: otelPositiveAndNegative((telemetry, marker) => {
      const body = firstBody(telemetry, marker);
      return typeof body === 'string' && body.includes(`"GET /otel?egts-case=${marker} HTTP/1.1"`)
        ? undefined
        : `body ${JSON.stringify(body)} is not the text format`;
    }),
  },
  {
    name: 'OpenTelemetryAccessLogJSON',
    description: 'Make sure OpenTelemetry JSON access log is working with custom JSON attributes',
    features: ['EnvoyProxyTelemetry'],
    manifests: ['accesslog-otel-json.yaml'],
    statuses: accepted(accessLogGateway, ['accesslog-otel']),
    // The JSON format: each record's body is an object with the format's keys.
    steps: otelPositiveAndNegative((telemetry, marker) => {
      const body = firstBody(telemetry, marker) as Record<string, unknown> | undefined;
      return body?.method === 'GET' && body['x-envoy-original-path'] === `/otel?egts-case=${marker}`
        ? undefined
        : `body ${JSON.stringify(body)} lacks the format's method and x-envoy-original-path`;
    }),
  },
  {
    name: 'OpenTelemetryAccessLogJSONAsDefault',
    description:
      'Make sure OpenTelemetry JSON access log is working as default when no format or type is specified',
    features: ['EnvoyProxyTelemetry'],
    // The sink's backend is a Backend naming the collector's Service by its cluster DNS name.
    manifests: ['accesslog-otel-default.yaml'],
    statuses: accepted(accessLogGateway, ['accesslog-otel']),
    // No format: Envoy Gateway's default JSON fields.
    steps: otelPositiveAndNegative((telemetry, marker) => {
      const body = firstBody(telemetry, marker) as Record<string, unknown> | undefined;
      return body?.method === 'GET' && String(body.response_code) === '200'
        ? undefined
        : `body ${JSON.stringify(body)} lacks the default format's method and response_code`;
    }),
  },
  {
    name: 'ALS',
    description: 'Make sure ALS access log is working',
    features: ['EnvoyProxyTelemetry'],
    manifests: ['accesslog-als.yaml'],
    statuses: accepted(accessLogGateway, ['accesslog-als']),
    steps: async (harness) => {
      const marker = randomUUID();
      // HTTP entries on the collector's envoy-als port, with the request they log.
      await expectCountRises(
        harness,
        'HTTP',
        async () =>
          (await received(harness)).accessLogs.filter(
            (entry) => entry.path?.includes(marker) && entry.responseCode === 200,
          ).length,
        request('/als', marker, true, 'infra-backend-v1'),
      );
    },
  },
];
