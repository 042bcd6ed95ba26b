// What the EnvoyProxy telemetry service tests share: a Gateway whose GatewayClass names one
// EnvoyProxy (its spec given as YAML), stand-in collectors as Services in `monitoring`, an echo
// route, and Envoy started on the bootstrap egts translates for it.
import type { EnvoyHandle } from '@egts/envoy-binary';
import { startStaticEnvoy } from '../internal/staticEnvoy.js';

/** `{name, namespace: monitoring, port: 4317}`, a collector's backendRef, with `extra` fields. */
export const collectorRef = (name: string, extra = '') =>
  `{name: ${name}, namespace: monitoring, port: 4317${extra}}`;

/** A Service `name` in `monitoring` whose one endpoint is 127.0.0.1:`port`. */
const collector = (name: string, port: number) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: monitoring}
spec: {ports: [{name: grpc, port: 4317}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: monitoring, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: grpc, port: ${port}}]
`;

/**
 * The manifests: `proxySpec` is the EnvoyProxy's spec (YAML indented by two), `collectors` the
 * stand-ins' gRPC ports by Service name, every request routed to the echo server on `echoPort`.
 */
export const telemetryManifests = (
  port: number,
  echoPort: number,
  proxySpec: string,
  collectors: Readonly<Record<string, number>>,
) => `apiVersion: gateway.networking.k8s.io/v1
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
${proxySpec}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: ${port}}]}
${Object.entries(collectors)
  .map(([name, collectorPort]) => collector(name, collectorPort))
  .join('')}---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: echo-1, namespace: default, labels: {kubernetes.io/service-name: echo}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: ${echoPort}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: echo, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: echo, port: 8080}]}]
`;

/** Envoy on what egts translates from `manifests`, and the EnvoyProxy's status as JSON. */
export async function startTelemetryEnvoy(
  manifests: string,
  file: string,
): Promise<{ envoy: EnvoyHandle; status: string }> {
  const { envoy, statuses } = await startStaticEnvoy(manifests, file);
  return { envoy, status: JSON.stringify(statuses.filter((s) => s.kind === 'EnvoyProxy')) };
}

/** Polls `done` every 100 ms, `tries` times at most, running `each` (a request) before each wait. */
export async function until(
  done: () => boolean,
  tries = 300,
  each?: () => Promise<unknown>,
): Promise<boolean> {
  for (let i = 0; i < tries && !done(); i++) {
    await each?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return done();
}
