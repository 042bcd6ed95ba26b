// @egts/install: install artifacts for Kubernetes: CRDs for Envoy Gateway's kinds generated from
// @egts/api's schemas (written into the Helm chart by `pnpm --filter @egts/install gen`).

export { chartDir, crdFileName, renderCrdFile } from './chart.js';
export { ENVOY_GATEWAY_GROUP, envoyGatewayCrds, structural } from './crds.js';
