// Envoy Gateway's proxy metrics e2e tests (metric.go: ProxyMetrics, MetricCompressor;
// stat_name.go: ClusterStatName, RouteStatName), re-expressed: the same manifests and requests;
// the PromQL queries become reads of the proxy's Prometheus endpoint (the series Prometheus would
// scrape; in host mode the proxy's `metricsAddress`, its pod's port 19001), and the OpenTelemetry
// sink's metrics are read from the stand-in collector.
import { request } from 'node:http';
import type { ConformanceTest, GatewayRef, TestHarness } from '../../conformanceTest.js';
import { accepted, gw, infra } from '../../conformanceTest.js';
import { received } from './telemetryQuery.js';

/** One series of Prometheus' text format: its labels and value. */
interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The series of metric `name` in Prometheus text exposition format. */
export const seriesOf = (text: string, name: string): Series[] => {
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' '))
      continue;
    const match = /^[^{\s]+(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[label[1]!] = label[2]!;
    series.push({ labels, value: Number(match[2]) });
  }
  return series;
};

/** The suite's PromQL instant query `name{labels}`: the series whose labels hold all of these. */
const query = async (
  harness: TestHarness,
  gateway: GatewayRef,
  name: string,
  labels: Readonly<Record<string, string>>,
): Promise<Series[]> =>
  seriesOf(await harness.prometheus(gateway), name).filter((s) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );

/** Polls `check` (why not yet, or undefined) for up to a minute, as the suite's verifyMetrics. */
const within = async (label: string, check: () => Promise<string | undefined>) => {
  const deadline = performance.now() + 60_000;
  let last: string | undefined = 'not checked';
  while (performance.now() < deadline) {
    last = await check();
    if (last === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`${label}: ${last}`);
};

const policyAccepted = (name: string, gateway: GatewayRef, sectionName?: string) => ({
  kind: 'BackendTrafficPolicy' as const,
  namespace: infra,
  name,
  ancestors: [
    {
      gateway,
      ...(sectionName ? { sectionName } : {}),
      conditions: [{ type: 'Accepted', status: 'True' as const }],
    },
  ],
});

const metricGateway = gw('metric-prometheus');
const statNameGateway = gw('stat-name-gtw');
const httpStatGateway = gw('http-stat-name-backend-gateway');
const tcpStatGateway = gw('tcp-stat-name-backend-gateway');

/** The `content-encoding` of the metrics endpoint's answer to a client accepting `encoding`. */
const metricsEncoding = (url: string, encoding: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const req = request(url, { headers: { 'accept-encoding': encoding } }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(String(res.headers['content-encoding'] ?? 'none'))
          : reject(new Error(`${url}: status ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });

/** MetricCompressor: each gateway's EnvoyProxy asks for one compressor of its metrics. */
const COMPRESSORS = [
  ['gzip', 'gzip'],
  ['brotli', 'br'],
  ['zstd', 'zstd'],
] as const;

export const telemetryMetricsTests = (): ConformanceTest[] => [
  {
    name: 'ProxyMetrics',
    description: 'Make sure metric is working',
    features: ['EnvoyProxyTelemetry'],
    manifests: ['metric.yaml'],
    statuses: accepted(metricGateway, ['metric-prometheus']),
    requests: [{ gateway: metricGateway, request: { path: '/prom' }, backend: 'infra-backend-v1' }],
    steps: async (harness) => {
      // prometheus: the xDS cluster's default match counter on the proxy's Prometheus endpoint.
      await within('prometheus', async () => {
        const found = await query(
          harness,
          metricGateway,
          'envoy_cluster_default_total_match_count',
          {
            envoy_cluster_name: 'xds_cluster',
          },
        );
        return found.length === 1 ? undefined : `${found.length} series`;
      });
      // otel: the sink's backendRef (the collector's Service) gets the proxy's metrics over
      // OTLP, what the collector's own Prometheus exporter then serves upstream.
      await within('otel', async () => {
        const { metrics, calls } = await received(harness);
        const names = new Set(metrics.map((m) => m.name));
        if (!calls.some((c) => c.service === 'metrics')) return 'no OTLP metrics export yet';
        return names.has('cluster.upstream_rq_total') && names.has('server.uptime')
          ? undefined
          : `no cluster.upstream_rq_total and server.uptime among ${names.size} metrics`;
      });
    },
  },
  {
    name: 'ClusterStatName',
    description: 'Make sure metric is working',
    features: ['EnvoyProxyTelemetry'],
    manifests: ['envoyproxy-stat-name.yaml'],
    statuses: accepted(statNameGateway, ['stat-name-route']),
    requests: [
      { gateway: statNameGateway, request: { path: '/foo' }, backend: 'infra-backend-v1' },
      { gateway: statNameGateway, request: { path: '/bar' }, backend: 'infra-backend-v1' },
    ],
    // Both rules' clusters take the same alt_stat_name, so their stats collapse into one series,
    // and none is left under the rules' own cluster names. Its value is the backend's members:
    // upstream 2 (infra-backend-v1 runs 2 replicas), here 1 (the harness runs one pod of it).
    steps: (harness) =>
      within('prometheus', async () => {
        const found = await query(harness, statNameGateway, 'envoy_cluster_membership_healthy', {
          envoy_cluster_name: `${infra}/stat-name-route/${infra}/infra-backend-v1`,
        });
        const perRule = seriesOf(
          await harness.prometheus(statNameGateway),
          'envoy_cluster_membership_healthy',
        ).filter((s) => s.labels.envoy_cluster_name?.includes('stat-name-route/rule'));
        if (perRule.length > 0) return `series under the rules' names: ${JSON.stringify(perRule)}`;
        return found.length === 1 && found[0]!.value === 1
          ? undefined
          : `series ${JSON.stringify(found)}, want one of value 1`;
      }),
  },
  {
    name: 'RouteStatName',
    description: 'Make sure per route metrics is working',
    features: ['EnvoyProxyTelemetry', 'BackendTrafficPolicyTelemetry'],
    manifests: ['metrics-stat-httproute.yaml', 'metrics-stat-tcproute.yaml'],
    statuses: [
      ...accepted(httpStatGateway, ['http-route-stat-name']),
      policyAccepted('http-route-stat-name', httpStatGateway),
      policyAccepted('tcp-route-stat-name', tcpStatGateway, 'tcp'),
    ],
    steps: async (harness) => {
      await harness.expectRequests([
        {
          gateway: httpStatGateway,
          port: 8080,
          request: { path: '/http' },
          backend: 'infra-backend-v1',
        },
      ]);
      await within('HTTPRoute', async () => {
        const found = await query(harness, httpStatGateway, 'envoy_vhost_route_upstream_rq', {
          envoy_route: `${infra}/http-route-stat-name`,
        });
        return found.length === 1 ? undefined : `${found.length} series`;
      });
      await harness.expectRequests([
        {
          gateway: tcpStatGateway,
          port: 8080,
          request: { path: '/tcp' },
          backend: 'infra-backend-v1',
        },
      ]);
      await within('TCPRoute', async () => {
        const found = await query(harness, tcpStatGateway, 'envoy_tcp_downstream_cx_total', {
          envoy_tcp_prefix: `${infra}/tcp-route-stat-name`,
        });
        return found.length === 1 ? undefined : `${found.length} series`;
      });
    },
  },
  {
    name: 'MetricCompressor',
    description: 'Make sure metric is working with compressor',
    features: ['EnvoyProxyTelemetry'],
    manifests: ['metric-compressor.yaml'],
    statuses: COMPRESSORS.flatMap(([name]) => accepted(gw(`${name}-gtw`), [`${name}-route`])),
    requests: COMPRESSORS.map(([name]) => ({
      gateway: gw(`${name}-gtw`),
      request: { path: `/${name}` },
      backend: 'infra-backend-v1',
    })),
    steps: async (harness) => {
      for (const [name, encoding] of COMPRESSORS)
        await within(name, async () => {
          const got = await metricsEncoding(await harness.metricsUrl(gw(`${name}-gtw`)), encoding);
          return got === encoding ? undefined : `Content-Encoding is ${got}, want ${encoding}`;
        });
    },
  },
];
