// Where Kubernetes mode's resources come from: the API server, watched by this instance, with the
// leader election that decides which instance writes statuses and applies infrastructure.
import {
  createKubernetesProvider,
  type StatusUpdate,
  startLeaderElection,
} from '@egts/provider-kubernetes';
import type { Logger } from 'pino';
import type { KubernetesGatewayOptions } from './kubernetesOptions.js';

// Envoy Gateway's leader election Lease name, so the two never lead at once in one namespace.
const LEASE_NAME = '5b9825d2.gateway.envoyproxy.io';

export function kubernetesResources(
  options: KubernetesGatewayOptions,
  log: Logger,
  onStatusUpdate?: (update: StatusUpdate) => void,
) {
  const leaderElection = startLeaderElection({
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    name: LEASE_NAME,
    log: (message) => log.info(message),
  });
  const provider = createKubernetesProvider({
    kubeConfig: options.kubeConfig,
    controllerName: options.controllerName,
    watch: options.watch,
    leaderElection,
    // The extension server's kinds are watched too (its filters, policies and backends).
    extensionKinds: [
      ...(options.extensionManager?.resources ?? []),
      ...(options.extensionManager?.policyResources ?? []),
      ...(options.extensionManager?.backendResources ?? []),
    ],
    ...(onStatusUpdate ? { onStatusUpdate } : {}),
    log: (message) => log.info(message),
  });
  return { leaderElection, provider };
}
