// The `backendSettings` of the backends EnvoyProxy telemetry sends to (the tracing collector, an
// OpenTelemetry access log sink, an access log service) are BackendTrafficPolicy's cluster
// settings: Envoy Gateway builds those clusters with applyTraffic(args, traffic), the code path of
// a route's cluster under a BackendTrafficPolicy. Here every service sets every group and each
// service cluster must carry exactly what a BackendTrafficPolicy with the same settings gives a
// route's cluster. Envoy then loads it all.
import { loadResourcesFromText } from '@egts/api';
import { validateEnvoyConfig } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { describe, expect, it } from 'vitest';
import { policy, route, service } from './backendTrafficFixture.js';
import {
  clusterSettings,
  routeClusterSettings,
  SERVICE_SETTINGS,
} from './serviceSettingsFixture.js';

// Retries are route settings (no route carries a tracer's calls): the services take the rest.
const { retry: _retry, ...withoutRetry } = SERVICE_SETTINGS;
const settings = JSON.stringify(withoutRetry);
const refs = '[{name: svc, port: 8080}]';

const manifests = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: telemetry, namespace: default}
spec:
  telemetry:
    tracing:
      provider:
        backendRefs: ${refs}
        backendSettings: ${settings}
    accessLog:
      settings:
      - sinks:
        - type: OpenTelemetry
          openTelemetry: {backendRefs: ${refs}, backendSettings: ${settings}}
        - type: ALS
          als: {type: HTTP, backendRefs: ${refs}, backendSettings: ${settings}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 10080}]
  infrastructure:
    parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: telemetry}
${service('svc', 8080, ['127.0.0.1'])}${route('btp', 'svc', 8080)}${policy(
  'btp',
  Object.entries(SERVICE_SETTINGS)
    .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}\n`)
    .join(''),
)}`;

type Json = Record<string, unknown>;
const { resources, problems } = loadResourcesFromText(manifests, 'telemetry.yaml');
if (problems.length > 0) throw new Error(JSON.stringify(problems));
const translated = translate(resources);
const [ir] = translated.xdsIR;
if (ir === undefined) throw new Error('no xDS IR');
const bootstrap = bootstrapToJson(translateBootstrap(ir)) as Json;
const clusters = (bootstrap.staticResources as { clusters: Json[] }).clusters;

const clusterOf = (prefix: string): Json => {
  const found = clusters.find((c) => String(c.name).startsWith(prefix));
  if (!found) throw new Error(`no cluster ${prefix}: ${clusters.map((c) => c.name).join(', ')}`);
  return found;
};

/** The telemetry backends' clusters: the tracing collector's and the two access log sinks'. */
const SERVICES = ['tracing', 'accesslog-0', 'accesslog-1'];

describe('EnvoyProxy telemetry backends take backendSettings as a BackendTrafficPolicy would', () => {
  it('the EnvoyProxy and the BackendTrafficPolicy are accepted', () => {
    const accepted = (kind: string) => {
      const status = translated.statuses.find((s) => s.kind === kind)?.status as {
        ancestors: { conditions: { type: string; reason: string; message: string }[] }[];
      };
      const condition = status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted');
      return `${condition?.reason}: ${condition?.message}`;
    };
    expect(accepted('EnvoyProxy')).toMatch(/^Accepted: /);
    expect(accepted('BackendTrafficPolicy')).toMatch(/^Accepted: /);
  });

  const btp = routeClusterSettings(clusterOf('httproute/default/btp/'));

  it('each telemetry cluster carries the settings of a BackendTrafficPolicy', () => {
    expect(Object.keys(btp)).toContain('circuitBreakers');
    expect(Object.keys(btp)).toContain('healthChecks');
    for (const name of SERVICES) expect(clusterSettings(clusterOf(name)), name).toEqual(btp);
  });

  it('Envoy loads it all', async () => {
    const result = await validateEnvoyConfig(JSON.parse(JSON.stringify(bootstrap)) as object);
    expect(result.output).toBe(result.valid ? result.output : '');
    expect(result.valid).toBe(true);
  }, 120_000);
});
