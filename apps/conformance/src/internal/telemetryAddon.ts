// The observability add-on Envoy Gateway's e2e install puts in the `monitoring` namespace (its
// gateway-addons Helm chart: an OpenTelemetry Collector, with Loki, Tempo and Prometheus behind
// it), reduced to what the telemetry tests use: the `otel-collector` Service with the collector's
// receiver ports, served by the local stand-in collector (otlpReceiver.ts). Loki's and Tempo's
// query APIs become one query port answering what the stand-in received (`GET /received`).
import type { KubeObject, StandIn } from './cluster.js';
import { startTelemetryReceiver } from './otlpReceiver.js';

export const TELEMETRY_NAMESPACE = 'monitoring';
export const COLLECTOR_SERVICE = 'otel-collector';
/** The image the stand-in takes the place of (the chart's collector image). */
const COLLECTOR_IMAGE = 'otel/opentelemetry-collector-contrib';

/** The collector's receiver ports, as the chart's Service names them (Loki's/Tempo's 3100 for queries). */
export const COLLECTOR_PORTS = {
  otlp: 4317,
  envoyAls: 9000,
  zipkin: 9411,
  datadog: 8126,
  query: 3100,
} as const;

/** Where a test reads what the collector received (see otlpReceiver.ts, ReceivedTelemetry). */
export const RECEIVED_URL = `http://${COLLECTOR_SERVICE}.${TELEMETRY_NAMESPACE}:${COLLECTOR_PORTS.query}/received`;

const labels = {
  'app.kubernetes.io/name': 'opentelemetry-collector',
  'app.kubernetes.io/instance': 'eg-addons',
  component: 'standalone-collector',
};

const port = (name: string, number: number, appProtocol?: string) => ({
  name,
  port: number,
  targetPort: number,
  protocol: 'TCP',
  ...(appProtocol ? { appProtocol } : {}),
});

/** The add-on's objects, applied with the suite's base manifests. */
export const telemetryAddonObjects = (): KubeObject[] => [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: TELEMETRY_NAMESPACE } },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: COLLECTOR_SERVICE, namespace: TELEMETRY_NAMESPACE, labels },
    spec: {
      selector: labels,
      ports: [
        port('datadog', COLLECTOR_PORTS.datadog),
        port('envoy-als', COLLECTOR_PORTS.envoyAls, 'grpc'),
        port('otlp', COLLECTOR_PORTS.otlp, 'grpc'),
        port('zipkin', COLLECTOR_PORTS.zipkin),
        port('query', COLLECTOR_PORTS.query),
      ],
    },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: COLLECTOR_SERVICE, namespace: TELEMETRY_NAMESPACE, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'opentelemetry-collector', image: COLLECTOR_IMAGE }] },
      },
    },
  },
];

/** Runs the stand-in collector for the add-on's Deployment: gRPC and HTTP receivers by port. */
export const telemetryCollectorStandIn: StandIn = {
  image: COLLECTOR_IMAGE,
  start: async () => {
    const receiver = await startTelemetryReceiver();
    return {
      port: receiver.httpPort,
      ports: {
        [COLLECTOR_PORTS.otlp]: receiver.grpcPort,
        [COLLECTOR_PORTS.envoyAls]: receiver.grpcPort,
        [COLLECTOR_PORTS.zipkin]: receiver.httpPort,
        [COLLECTOR_PORTS.datadog]: receiver.httpPort,
        [COLLECTOR_PORTS.query]: receiver.httpPort,
      },
      close: () => receiver.close(),
    };
  },
};
