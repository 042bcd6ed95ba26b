// The suite's gRPC comparison: the status code, and for OK answers the backend and namespace that
// answered.
import type { GrpcExpectation } from '../conformanceTest.js';
import type { GrpcResult } from './grpcEcho.js';

const DEFAULT_NAMESPACE = 'gateway-conformance-infra';

/** Why `result` does not meet `expected`, or undefined when it does. */
export const compareGrpc = (expected: GrpcExpectation, result: GrpcResult): string | undefined => {
  const codes = [expected.code ?? 0].flat();
  if (!codes.includes(result.code)) return `gRPC status ${result.code}, want ${codes.join(' or ')}`;
  if (result.code !== 0 || expected.backend === undefined) return undefined;
  const a = result.assertions;
  if (!a) return 'no GrpcEcho answer';
  if (!a.context.pod.startsWith(`${expected.backend}-`))
    return `answered by pod ${a.context.pod}, want backend ${expected.backend}`;
  const namespace = expected.namespace ?? DEFAULT_NAMESPACE;
  if (a.context.namespace !== namespace)
    return `answered from namespace ${a.context.namespace}, want ${namespace}`;
  if (!a.fullyQualifiedMethod.endsWith(`/${expected.method}`))
    return `backend ran ${a.fullyQualifiedMethod}, want ${expected.method}`;
  return undefined;
};
