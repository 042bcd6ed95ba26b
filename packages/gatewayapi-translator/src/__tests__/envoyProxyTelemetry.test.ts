// EnvoyProxy telemetry into the IR: tracing takes Envoy Gateway's defaults (every request sampled
// at random, client-forced tracing off, no cap; the Gateway as service name) and its collector's
// cluster; the fleet's health check event log goes to the telemetry backends' active health
// checks that have none of their own; what egts does not apply (a collector's retries) is
// reported NotApplied naming the field, never accepted silently.
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';

const manifests = (telemetry: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy, namespace: default}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: proxy, namespace: default}
spec:
  telemetry:
${telemetry}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: collector, namespace: monitoring}
spec: {ports: [{name: grpc, port: 4317}]}
`;

const run = (telemetry: string) => {
  const { resources, problems } = loadResourcesFromText(manifests(telemetry), 'telemetry.yaml');
  expect(problems).toEqual([]);
  const result = translate(resources);
  const status = result.statuses.find((s) => s.kind === 'EnvoyProxy')?.status as {
    ancestors: { conditions: { type: string; reason: string; message: string }[] }[];
  };
  const gateway = result.statuses.find((s) => s.kind === 'Gateway')?.status as {
    conditions: { type: string; reason: string; message: string }[];
  };
  return {
    accepted: status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted'),
    gateway: gateway.conditions.find((c) => c.type === 'Accepted'),
    ir: result.xdsIR[0],
  };
};

describe('EnvoyProxy telemetry', () => {
  it("traces with Envoy Gateway's defaults to the collector's cluster", () => {
    const { accepted, ir } = run(`    tracing:
      provider:
        backendRefs: [{name: collector, namespace: monitoring, port: 4317}]`);
    expect(accepted?.reason).toBe('Accepted');
    expect(ir?.tracing).toMatchObject({
      provider: 'OpenTelemetry',
      serviceName: 'gw.default',
      authority: 'collector.monitoring.svc.cluster.local',
      sampling: { random: 100, client: 0, overall: 100 },
      destination: { name: 'tracing', settings: [{ protocol: 'GRPC' }] },
    });
  });

  it("refuses a Gateway whose telemetry module load balancer's module is not registered", () => {
    const { gateway, ir } = run(`    tracing:
      provider:
        backendRefs: [{name: collector, namespace: monitoring, port: 4317}]
        backendSettings:
          loadBalancer: {type: DynamicModule, dynamicModule: {name: absent, lbPolicyName: p}}`);
    expect(gateway).toMatchObject({ reason: 'InvalidParameters' });
    expect(gateway?.message).toContain(
      'telemetry.tracing.provider.backendSettings.loadBalancer.dynamicModule: dynamic module "absent" is not registered',
    );
    expect(ir?.tracing).toBeUndefined();
  });

  it('reports what it does not apply yet', () => {
    const upstream = run(`    accessLog:
      settings: [{type: Upstream, sinks: [{type: File, file: {path: /dev/stdout}}]}]`);
    // Upstream access logs are applied (the router's upstream_log).
    expect(upstream.accepted?.reason).toBe('Accepted');
    const sampler = run(`    tracing:
      provider:
        backendRefs: [{name: collector, namespace: monitoring, port: 4317}]
        openTelemetry: {sampler: {type: AlwaysOff}, resourceAttributes: {a: b}}`);
    expect(sampler.accepted?.reason).toBe('Accepted');
    const settings = run(`    tracing:
      provider:
        backendRefs: [{name: collector, namespace: monitoring, port: 4317}]
        backendSettings: {connection: {bufferLimit: 1Mi}}`);
    expect(settings.accepted?.reason).toBe('Accepted');
    // Retries are the OpenTelemetry exports' retry policy; a per-try timeout has nothing to set.
    const retry = run(`    tracing:
      provider:
        backendRefs: [{name: collector, namespace: monitoring, port: 4317}]
        backendSettings: {retry: {numRetries: 5, perRetry: {timeout: 1s}}}`);
    expect(retry.accepted?.reason).toBe('NotApplied');
    expect(retry.accepted?.message).toContain(
      'spec.telemetry.tracing.provider.backendSettings.retry.perRetry.timeout',
    );
    expect(retry.accepted?.message).not.toContain('numRetries');
  });

  it("logs the telemetry backends' health check events to the fleet's healthCheckLog unless they log their own", () => {
    const check = (log = '') =>
      `{healthCheck: {active: {type: TCP, interval: 1s, timeout: 1s${log}}}}`;
    const { accepted, ir } = run(`    healthCheckLog:
      matches: [Failure, HealthyTransition]
      sinks: [{type: File, file: {path: /var/log/hc.log}}]
    tracing:
      provider:
        backendRefs: [{name: collector, namespace: monitoring, port: 4317}]
        backendSettings: ${check()}
    accessLog:
      settings:
      - sinks:
        - type: ALS
          als:
            type: HTTP
            backendRefs: [{name: collector, namespace: monitoring, port: 4317}]
            backendSettings: ${check(', healthCheckLog: {sinks: [{type: File, file: {path: /var/log/als.log}}]}')}`);
    expect(accepted?.reason).toBe('Accepted');
    expect(ir?.tracing?.destination.healthCheck?.active?.eventLog).toEqual({
      path: '/var/log/hc.log',
      failures: true,
      successes: false,
    });
    expect(ir?.accessLog?.sinks[0]?.als?.destination.healthCheck?.active?.eventLog).toEqual({
      path: '/var/log/als.log',
      failures: true,
      successes: true,
    });
  });
});
