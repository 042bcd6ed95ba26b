// @egts/kube-testenv: a real etcd + kube-apiserver on loopback for integration tests, with the
// Gateway API and Envoy Gateway CRDs installed (controller-runtime's envtest, in TypeScript).

export type { KubeConnection, KubeRequest, KubeResponse } from './kubeRequest.js';
export { kubeRequest } from './kubeRequest.js';
export type { KubeTestEnv, KubeTestEnvOptions } from './kubeTestEnv.js';
export {
  collectionPath,
  kubeBinDir,
  kubeTestEnvUnavailable,
  readYamlObjects,
  sharedCrdDirs,
  startKubeTestEnv,
} from './kubeTestEnv.js';
export type { VolumeProjection, VolumeProjectionOptions } from './volumeProjection.js';
export { startVolumeProjection } from './volumeProjection.js';
