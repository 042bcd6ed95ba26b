// Stand-in for Envoy Gateway's e2e image gateway-backend-utilization: echo-basic that reports its
// load to Envoy in every response, as an ORCA load report in the `endpoint-load-metrics` header
// (TEXT form, https://github.com/envoyproxy/envoy/blob/main/source/common/orca/orca_parser.h),
// with the CPU utilization its Deployment sets in ORCA_CPU_UTILIZATION. Client-side weighted
// round robin weighs an endpoint by its request rate over its utilization; the rate reported is
// the same for every endpoint, so the utilizations alone set the weights.
import type { KubeObject } from '../conformanceTest.js';
import type { StandInServer } from './cluster.js';
import { startEchoServer } from './echoServer.js';

const envValue = (deployment: KubeObject, name: string): string | undefined => {
  const template = (deployment.spec?.template ?? {}) as {
    spec?: { containers?: { env?: { name: string; value?: string }[] }[] };
  };
  return template.spec?.containers?.[0]?.env?.find((e) => e.name === name)?.value;
};

export const startOrcaBackend = (
  namespace: string,
  pod: string,
  deployment: KubeObject,
): Promise<StandInServer> => {
  const cpu = Number(envValue(deployment, 'ORCA_CPU_UTILIZATION') ?? '0.5');
  return startEchoServer(namespace, pod, undefined, [
    ['endpoint-load-metrics', `TEXT cpu_utilization=${cpu}, rps_fractional=10`],
  ]);
};
