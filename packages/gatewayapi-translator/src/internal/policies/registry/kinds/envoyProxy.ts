// EnvoyProxy fields: applied or not (see ../fieldRegistry.ts): fleet merging, Envoy's log levels,
// and the Kubernetes objects the infra-manager writes; the rest not yet.
import type { KindFields } from '../fieldRegistry.js';
import { goldenProof, HOST_INFRA_PROOF, KUBERNETES_INFRA_PROOF } from './proofs.js';

const K8S = 'spec.provider.kubernetes';
const TELEMETRY = 'apps/conformance/src/__tests__/envoyProxyTelemetry.integration.test.ts';
const ACCESS_LOG = `${TELEMETRY}: writes access logs in the formats and files asked for`;
const NO_ACCESS_LOG = `${TELEMETRY}: disable turns every access log off`;
const SETTINGS = 'apps/conformance/src/__tests__/envoyProxySettings.integration.test.ts';
const ROUTE_ORDER = `${SETTINGS}: keeps HTTPRoute rules in the order written with preserveRouteOrder`;
const IP_FAMILY = `${SETTINGS}: serves IPv6 and IPv4 clients with ipFamily DualStack`;
const FILTER_ORDER = `${SETTINGS}: moves an HTTP filter with filterOrder`;
const HOST_SHUTDOWN =
  'packages/infra-manager/src/__tests__/hostInfraShutdown.integration.test.ts: starts Envoy with its concurrency and drains in-flight requests before it exits';
const BOOTSTRAP =
  'packages/infra-manager/src/__tests__/hostInfraBootstrap.integration.test.ts: applies Merge and JSONPatch bootstraps and keeps the last good one when one is refused';
const LUA =
  'packages/gatewayapi-translator/src/__tests__/luaScript.test.ts: lets an unchecked script through';

export const envoyProxyFields: KindFields = {
  applied: {
    'spec.mergeGateways': goldenProof('merged-gateways'),
    'spec.preserveRouteOrder': ROUTE_ORDER,
    'spec.ipFamily': IP_FAMILY,
    'spec.filterOrder': FILTER_ORDER,
    'spec.concurrency': HOST_SHUTDOWN,
    'spec.bootstrap': BOOTSTRAP,
    'spec.shutdown': HOST_SHUTDOWN,
    'spec.telemetry.accessLog.disable': NO_ACCESS_LOG,
    'spec.telemetry.metrics.prometheus.disable':
      'packages/infra-manager/src/__tests__/proxyMetrics.integration.test.ts: serves /stats/prometheus unless telemetry.metrics.prometheus.disable',
    'spec.telemetry.accessLog.settings.format': ACCESS_LOG,
    'spec.telemetry.accessLog.settings.sinks.type': ACCESS_LOG,
    'spec.telemetry.accessLog.settings.sinks.file': ACCESS_LOG,
    'spec.telemetry.accessLog.settings.type': ACCESS_LOG,
    'spec.logging.level': HOST_INFRA_PROOF,
    'spec.lua.validationType': LUA,
    'spec.luaValidation': LUA,
    'spec.provider.type': KUBERNETES_INFRA_PROOF,
    [`${K8S}.envoyDaemonSet`]: KUBERNETES_INFRA_PROOF,
    [`${K8S}.envoyDeployment.container.image`]: KUBERNETES_INFRA_PROOF,
    [`${K8S}.envoyHpa.minReplicas`]: KUBERNETES_INFRA_PROOF,
    [`${K8S}.envoyHpa.maxReplicas`]: KUBERNETES_INFRA_PROOF,
    [`${K8S}.envoyPDB.minAvailable`]: KUBERNETES_INFRA_PROOF,
    [`${K8S}.envoyService.type`]: KUBERNETES_INFRA_PROOF,
  },
  notApplied: [
    'spec.backendTLS',
    'spec.dynamicModules',
    'spec.extraArgs',
    'spec.geoIP',
    'spec.lua.strictValidation',
    'spec.mergeBackends',
    'spec.mergeType',
    'spec.provider.host',
    `${K8S}.envoyDaemonSet.container`,
    `${K8S}.envoyDaemonSet.name`,
    `${K8S}.envoyDaemonSet.patch`,
    `${K8S}.envoyDaemonSet.pod`,
    `${K8S}.envoyDaemonSet.strategy`,
    `${K8S}.envoyDeployment`,
    `${K8S}.envoyHpa`,
    `${K8S}.envoyPDB`,
    `${K8S}.envoyService`,
    `${K8S}.envoyServiceAccount`,
    `${K8S}.useListenerPortAsContainerPort`,
    'spec.routingType',
    'spec.telemetry',
  ],
};
