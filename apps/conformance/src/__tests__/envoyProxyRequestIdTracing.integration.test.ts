// EnvoyProxy `telemetry.requestID.tracing` through real Envoy, exporting spans to the stand-in
// collector (otlpReceiver.ts): one Gateway per setting, each with a sampling rate of 50, each
// keeping the client's `x-request-id` (ClientTrafficPolicy PreserveOrGenerate). The same four
// request IDs are sent eight times to each. Sampling by the ID (PackAndSample, Sample) traces an
// ID's requests all or none, the same IDs for both; packing (PackAndSample) writes the decision
// into the ID the backend sees (its 15th character: `9` sampled, `4` not), else (Sample) the
// backend sees the client's ID as it was. Without sampling by the ID (Pack, Disable) the
// connection manager leaves the decision to the tracer, which here traces everything, and Envoy
// has no decision of its own to pack: the ID stays as it was
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/request_id/uuid/v3/uuid.proto).
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EchoResponse, type EchoServer, startEchoServer } from '../internal/echoServer.js';
import { freePort } from '../internal/freePort.js';
import { startTelemetryReceiver, type TelemetryReceiver } from '../internal/otlpReceiver.js';

const SETTINGS = ['PackAndSample', 'Sample', 'Pack', 'Disable'] as const;
type Setting = (typeof SETTINGS)[number];

/** The `x-request-id` the backend saw for a GET with the client's `id`. */
const requestIdSeen = (port: number, path: string, id: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { 'x-request-id': id }, agent: false },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => {
          const echo = JSON.parse(body) as EchoResponse;
          resolve(echo.headers['X-Request-Id']?.[0] ?? echo.headers['x-request-id']?.[0] ?? '');
        });
      },
    );
    req.on('error', reject);
    req.end();
  });

const gateway = (setting: Setting, port: number) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: ${setting.toLowerCase()}, namespace: default}
spec:
  telemetry:
    requestID: {tracing: ${setting}}
    tracing:
      samplingRate: 50
      provider:
        backendRefs: [{name: otel-collector, namespace: monitoring, port: 4317}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${setting.toLowerCase()}, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: ${port}}]
  infrastructure:
    parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: ${setting.toLowerCase()}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${setting.toLowerCase()}, namespace: default}
spec:
  parentRefs: [{name: ${setting.toLowerCase()}}]
  rules: [{backendRefs: [{name: echo, port: 8080}]}]
`;

const service = (name: string, namespace: string, port: number, targetPort: number) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec: {ports: [{name: p, port: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: ${namespace}, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: p, port: ${targetPort}}]
`;

describe('[envoy] EnvoyProxy requestID.tracing', () => {
  let receiver: TelemetryReceiver;
  let echo: EchoServer;
  const envoys: EnvoyHandle[] = [];
  const ports = new Map<Setting, number>();
  let accepted: string[] = [];
  const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  /** Per setting: the ID each request was sent with and the one the backend saw. */
  const sent = new Map<Setting, { id: string; seen: string }[]>();

  beforeAll(async () => {
    receiver = await startTelemetryReceiver();
    echo = await startEchoServer('default', 'echo');
    for (const setting of SETTINGS) ports.set(setting, await freePort());
    const text = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
${service('otel-collector', 'monitoring', 4317, receiver.grpcPort)}${service('echo', 'default', 8080, echo.port)}${SETTINGS.map((s) => gateway(s, ports.get(s) as number)).join('')}---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: keep-request-ids, namespace: default}
spec:
  targetRefs: [${SETTINGS.map((s) => `{group: gateway.networking.k8s.io, kind: Gateway, name: ${s.toLowerCase()}}`).join(', ')}]
  headers: {requestID: PreserveOrGenerate}
`;
    const { resources, problems } = loadResourcesFromText(text, 'request-id.yaml');
    if (problems.length > 0) throw new Error(JSON.stringify(problems));
    const result = translate(resources);
    accepted = result.statuses
      .filter((s) => s.kind === 'EnvoyProxy' || s.kind === 'ClientTrafficPolicy')
      .map((s) => {
        const status = s.status as {
          ancestors?: { conditions: { type: string; reason: string; message: string }[] }[];
        };
        const c = status.ancestors?.[0]?.conditions.find((x) => x.type === 'Accepted');
        return `${s.kind}/${s.metadata.name}: ${c?.reason} ${c?.message ?? ''}`;
      });
    for (const ir of result.xdsIR) {
      const envoy = startEnvoy({
        config: bootstrapToJson(translateBootstrap(ir)) as object,
        logLevel: 'warn',
      });
      envoys.push(envoy);
      await envoy.ready(60_000);
    }
    for (const setting of SETTINGS) {
      const requests: { id: string; seen: string }[] = [];
      for (const id of ids)
        for (let i = 0; i < 8; i++)
          requests.push({
            id,
            seen: await requestIdSeen(ports.get(setting) as number, `/${setting}/${i}`, id),
          });
      sent.set(setting, requests);
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(envoys.map((e) => e.stop()));
    await receiver?.close();
    await echo?.close();
  });

  /** The request IDs of a setting's traced requests so far (their server spans carry it). */
  const tracedIds = (setting: Setting): string[] =>
    receiver.spans.flatMap((s) => {
      const id = s.attributes['guid:x-request-id'];
      return id !== undefined && s.attributes['http.url']?.includes(`/${setting}/`) ? [id] : [];
    });
  /** Waits until the collector holds `expected` of a setting's spans, then a second more. */
  const settle = async (setting: Setting, expected: number) => {
    for (let i = 0; i < 300 && tracedIds(setting).length < expected; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return tracedIds(setting);
  };
  /** How many of each ID's eight requests `traced` holds, in the order of `ids`. */
  const perId = (traced: readonly string[], as: (id: string) => string = (id) => id) =>
    ids.map((id) => traced.filter((t) => t === as(id)).length);

  it('is accepted', () => {
    expect(accepted).toHaveLength(SETTINGS.length + 1);
    for (const line of accepted) expect(line).toMatch(/: Accepted/);
  });

  /** The IDs whose requests PackAndSample traced (the backend saw them packed `9`). */
  const packedTraced = () =>
    ids.filter((id) =>
      (sent.get('PackAndSample') ?? []).some((r) => r.id === id && r.seen[14] === '9'),
    );

  it('PackAndSample traces all or none of one request ID and writes the decision into it', async () => {
    const requests = sent.get('PackAndSample') ?? [];
    // The client's IDs are version 4 (`4` at index 14); packed, a sampled request's holds `9`.
    const packed = (id: string, mark: string) => `${id.slice(0, 14)}${mark}${id.slice(15)}`;
    expect(requests.every((r) => r.seen === packed(r.id, r.seen[14] ?? ''))).toBe(true);
    expect(new Set(requests.map((r) => r.seen[14]))).toEqual(
      new Set([
        ...(packedTraced().length > 0 ? ['9'] : []),
        ...(packedTraced().length < 4 ? ['4'] : []),
      ]),
    );
    const traced = await settle('PackAndSample', packedTraced().length * 8);
    expect(perId(traced, (id) => packed(id, '9'))).toEqual(
      ids.map((id) => (packedTraced().includes(id) ? 8 : 0)),
    );
  });

  it('Sample traces all or none of one request ID, and leaves the ID as it was', async () => {
    const requests = sent.get('Sample') ?? [];
    expect(requests.every((r) => r.seen === r.id)).toBe(true);
    // The ID decides: the same IDs as PackAndSample's, at the same sampling rate.
    const traced = await settle('Sample', packedTraced().length * 8);
    expect(perId(traced)).toEqual(ids.map((id) => (packedTraced().includes(id) ? 8 : 0)));
  });

  it('Pack and Disable leave sampling to the tracer (here: every request), and the ID as it was', async () => {
    for (const setting of ['Pack', 'Disable'] as const) {
      const requests = sent.get(setting) ?? [];
      expect(requests.every((r) => r.seen === r.id)).toBe(true);
      // Not sampled by the connection manager at all: the OpenTelemetry tracer, without a
      // sampler of its own, traces all 32 (the samplingRate of 50 is the ID-based sampling's).
      const traced = await settle(setting, 32);
      expect(perId(traced)).toEqual([8, 8, 8, 8]);
    }
  });
});
