// The `backendSettings` of an EnvoyExtensionPolicy's external processor are BackendTrafficPolicy's
// settings: Envoy Gateway builds the processor's cluster with createExtServiceXDSCluster(destination,
// traffic), the code path of a route's cluster under a BackendTrafficPolicy, and gives the gRPC calls
// the settings' retry (buildNonRouteRetryPolicy). Here a processor sets every group, and its
// cluster must carry exactly what a BackendTrafficPolicy with the same settings gives a route's
// cluster. Envoy then loads it all.
import { loadResourcesFromText } from '@egts/api';
import { validateEnvoyConfig } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { describe, expect, it } from 'vitest';
import { gatewayManifests, policy, route, service } from './backendTrafficFixture.js';
import {
  clusterSettings,
  routeClusterSettings,
  SERVICE_SETTINGS,
} from './serviceSettingsFixture.js';

const extensionPolicy = `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: {name: proc, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: proc}]
  extProc:
  - backendRefs: [{name: svc, port: 8080}]
    processingMode: {request: {}}
    backendSettings: ${JSON.stringify(SERVICE_SETTINGS)}
`;

const btpSpec = Object.entries(SERVICE_SETTINGS)
  .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}\n`)
  .join('');

const manifests = `${gatewayManifests(10080)}${service('svc', 8080, ['127.0.0.1'])}${route(
  'btp',
  'svc',
  8080,
)}${policy('btp', btpSpec)}${route('proc', 'svc', 8080)}${extensionPolicy}`;

type Json = Record<string, unknown>;
const { resources } = loadResourcesFromText(manifests, 'extproc.yaml');
const translated = translate(resources);
const [ir] = translated.xdsIR;
if (ir === undefined) throw new Error('no xDS IR');
const bootstrap = bootstrapToJson(translateBootstrap(ir)) as Json;
const clusters = (bootstrap.staticResources as { clusters: Json[] }).clusters;
const json = JSON.stringify(bootstrap);

const clusterOf = (prefix: string): Json => {
  const found = clusters.find((c) => String(c.name).startsWith(prefix));
  if (!found) throw new Error(`no cluster ${prefix}: ${clusters.map((c) => c.name).join(', ')}`);
  return found;
};

describe('an external processor takes backendSettings as a BackendTrafficPolicy would', () => {
  it('both policies are accepted', () => {
    const accepted = translated.statuses
      .filter((s) => s.kind === 'EnvoyExtensionPolicy' || s.kind === 'BackendTrafficPolicy')
      .map((s) => {
        const status = s.status as { ancestors?: { conditions: Json[] }[] };
        const cond = status.ancestors?.[0]?.conditions.find((c) => c.type === 'Accepted');
        return `${s.metadata.name} ${String(cond?.status)} ${String(cond?.message)}`;
      })
      .sort();
    expect(accepted).toHaveLength(2);
    expect(accepted[0]).toMatch(/^btp True /);
    expect(accepted[1]).toMatch(/^proc True /);
  });

  const btp = routeClusterSettings(clusterOf('httproute/default/btp/'));

  it('the processor cluster carries the settings of a BackendTrafficPolicy', () => {
    for (const key of ['circuitBreakers', 'healthChecks', 'outlierDetection', 'transportSocket'])
      expect(Object.keys(btp), key).toContain(key);
    expect(clusterSettings(clusterOf('envoyextensionpolicy/default/proc/extproc/0'))).toEqual(btp);
  });

  it('the ext_proc filter retries as Envoy Gateway does', () => {
    const re = /"name":"envoy\.filters\.http\.ext_proc[^"]*proc[^"]*".*?"typedConfig":(\{.*)/;
    const text = re.exec(json)?.[1] ?? '';
    const retry = /"retryPolicy":(\{[^{}]*(\{[^{}]*(\{[^{}]*\}[^{}]*)*\}[^{}]*)*\})/.exec(
      text,
    )?.[1];
    expect(JSON.parse(String(retry))).toEqual({
      retryOn: 'connect-failure,reset',
      numRetries: 3,
      retryBackOff: { baseInterval: '1s', maxInterval: '4s' },
    });
  });

  it('Envoy loads it', async () => {
    const result = await validateEnvoyConfig(JSON.parse(json) as object);
    expect(result.output).toBe(result.valid ? result.output : '');
    expect(result.valid).toBe(true);
  }, 120_000);
});
