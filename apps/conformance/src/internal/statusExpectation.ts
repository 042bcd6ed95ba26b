// The suite's status checks as data: Gateway, listener, GatewayClass and route conditions (type,
// status, reason) that must hold with the object's latest generation, and route parents.
import { type Condition, type ResourceStatus, ROUTE_KINDS } from '@egts/api';
import type { GatewayRef } from './httpExpectation.js';

export interface ConditionExpectation {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  /** Text the condition's message must hold (egts's own tests: which field a refusal names). */
  readonly messageIncludes?: string;
}

export interface ListenerExpectation {
  readonly name: string;
  readonly attachedRoutes?: number;
  readonly supportedKinds?: readonly string[];
  readonly conditions?: readonly ConditionExpectation[];
}

export type StatusExpectation =
  | {
      /** A policy's status per ancestor (Gateway API policy status, GEP-713). */
      readonly kind:
        | 'BackendTLSPolicy'
        | 'SecurityPolicy'
        | 'BackendTrafficPolicy'
        | 'ClientTrafficPolicy'
        | 'EnvoyPatchPolicy'
        | 'EnvoyExtensionPolicy';
      readonly namespace: string;
      readonly name: string;
      readonly ancestors: readonly {
        readonly gateway: GatewayRef;
        /** The ancestor's listener (the suite's ParentReference SectionName), when it names one. */
        readonly sectionName?: string;
        readonly conditions: readonly ConditionExpectation[];
      }[];
      /** BackendTLSPolicyMustHaveLatestConditions: every ancestor's conditions of the latest generation. */
      readonly latest?: boolean;
    }
  | {
      readonly kind: 'GatewayClass';
      readonly name: string;
      readonly conditions: readonly ConditionExpectation[];
    }
  | {
      /** Envoy Gateway's Backend: its own conditions (BackendMustBeAccepted). */
      readonly kind: 'Gateway' | 'ListenerSet' | 'Backend';
      readonly namespace: string;
      readonly name: string;
      readonly conditions?: readonly ConditionExpectation[];
      readonly listeners?: readonly ListenerExpectation[];
      /** GatewayListenersMustHaveConditions: these listeners, whatever others there are. */
      readonly someListeners?: readonly ListenerExpectation[];
      /** WaitForGatewayAddress: an IPAddress or Hostname address in status.addresses. */
      readonly hasAddress?: boolean;
      /** GatewayMustHaveAttachedListeners: status.attachedListenerSets (absent counts as 0). */
      readonly attachedListenerSets?: number;
      /** GatewayMustHaveLatestConditions: some conditions, all of the latest generation. */
      readonly latest?: boolean;
    }
  | {
      readonly kind: 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute';
      readonly namespace: string;
      readonly name: string;
      /** Parents whose conditions must hold; `sectionName`/`port` narrow the parentRef. */
      readonly parents?: readonly {
        readonly gateway: GatewayRef;
        readonly sectionName?: string;
        readonly port?: number;
        readonly conditions: readonly ConditionExpectation[];
      }[];
      /** No parent may be Accepted (routes that must not attach anywhere). */
      readonly notAccepted?: boolean;
    };

const findStatus = (
  statuses: readonly ResourceStatus[],
  kind: string,
  namespace: string | undefined,
  name: string,
): ResourceStatus | undefined =>
  statuses.find(
    (s) =>
      s.kind === kind &&
      s.metadata.name === name &&
      (s.metadata.namespace ?? undefined) === namespace,
  );

const checkConditions = (
  what: string,
  conditions: readonly Condition[] | undefined,
  expected: readonly ConditionExpectation[],
  generation: number | undefined,
): string | undefined => {
  for (const want of expected) {
    const got = (conditions ?? []).find((c) => c.type === want.type);
    if (!got) return `${what}: no ${want.type} condition`;
    if (got.status !== want.status || (want.reason !== undefined && got.reason !== want.reason))
      return `${what}: ${want.type}=${got.status} (${got.reason ?? ''}), want ${want.status}${want.reason ? ` (${want.reason})` : ''}`;
    if (want.messageIncludes !== undefined && !(got.message ?? '').includes(want.messageIncludes))
      return `${what}: ${want.type} message ${JSON.stringify(got.message)}, want it to name ${want.messageIncludes}`;
    // The suite's "latest conditions": set for the object's current generation.
    if (generation !== undefined && got.observedGeneration !== generation)
      return `${what}: ${want.type} observedGeneration ${got.observedGeneration}, want ${generation}`;
  }
  return undefined;
};

const isRoute = (
  e: StatusExpectation,
): e is Extract<StatusExpectation, { notAccepted?: boolean }> => ROUTE_KINDS.has(e.kind);

const POLICY_KINDS = new Set([
  'BackendTLSPolicy',
  'SecurityPolicy',
  'BackendTrafficPolicy',
  'ClientTrafficPolicy',
  'EnvoyPatchPolicy',
  'EnvoyExtensionPolicy',
]);
const isPolicy = (e: StatusExpectation): e is Extract<StatusExpectation, { ancestors: unknown }> =>
  POLICY_KINDS.has(e.kind);

/** Why the statuses do not meet `expected`, or undefined. `generation` gives an object's latest. */
export const compareStatus = (
  expected: StatusExpectation,
  statuses: readonly ResourceStatus[],
  generation: (kind: string, namespace: string | undefined, name: string) => number | undefined,
): string | undefined => {
  const namespace = expected.kind === 'GatewayClass' ? undefined : expected.namespace;
  const label = `${expected.kind} ${namespace ? `${namespace}/` : ''}${expected.name}`;
  const found = findStatus(statuses, expected.kind, namespace, expected.name);
  if (!found) return `${label}: no status`;
  const gen = generation(expected.kind, namespace, expected.name);
  const status = found.status as {
    parents?: ParentStatus[];
    conditions?: Condition[];
    attachedListenerSets?: number;
    addresses?: Array<{ type?: string; value: string }>;
    listeners?: Array<{
      name: string;
      attachedRoutes: number;
      supportedKinds: Array<{ kind: string }>;
      conditions: Condition[];
    }>;
  };
  if (isPolicy(expected)) {
    const ancestors = (found.status as { ancestors?: AncestorStatus[] }).ancestors ?? [];
    for (const want of expected.ancestors) {
      const what = `${label} ancestor ${want.gateway.name}${want.sectionName ? `/${want.sectionName}` : ''}`;
      const ancestor = ancestors.find(
        (a) =>
          a.ancestorRef.name === want.gateway.name &&
          (a.ancestorRef.namespace ?? expected.namespace) === want.gateway.namespace &&
          (want.sectionName === undefined || a.ancestorRef.sectionName === want.sectionName),
      );
      if (!ancestor) return `${what}: not in status.ancestors`;
      const problem = checkConditions(what, ancestor.conditions, want.conditions, gen);
      if (problem) return problem;
    }
    if (expected.latest)
      for (const ancestor of ancestors) {
        const stale = ancestor.conditions.find((c) => c.observedGeneration !== gen);
        if (stale)
          return `${label} ancestor ${ancestor.ancestorRef.name}: ${stale.type} observedGeneration ${stale.observedGeneration}, want ${gen}`;
      }
    return undefined;
  }
  if (!isRoute(expected)) {
    const problem = checkConditions(label, status.conditions, expected.conditions ?? [], gen);
    if (problem || expected.kind === 'GatewayClass') return problem;
    if (expected.latest) {
      if (!status.conditions?.length) return `${label}: no conditions`;
      const stale = status.conditions.find((c) => c.observedGeneration !== gen);
      if (stale)
        return `${label}: ${stale.type} observedGeneration ${stale.observedGeneration}, want ${gen}`;
    }
    if (
      expected.hasAddress &&
      !status.addresses?.some((a) => a.type === 'IPAddress' || a.type === 'Hostname')
    )
      return `${label}: no IPAddress or Hostname address in status (${JSON.stringify(status.addresses ?? [])})`;
    if (
      expected.attachedListenerSets !== undefined &&
      (status.attachedListenerSets ?? 0) !== expected.attachedListenerSets
    )
      return `${label}: attachedListenerSets ${status.attachedListenerSets ?? 0}, want ${expected.attachedListenerSets}`;
    // GatewayStatusMustHaveListeners: the same listeners; each expected kind among the supported.
    const wantListeners = expected.listeners ?? [];
    if (wantListeners.length > 0 && (status.listeners?.length ?? 0) !== wantListeners.length)
      return `${label}: ${status.listeners?.length ?? 0} listeners in status, want ${wantListeners.length}`;
    for (const want of [...wantListeners, ...(expected.someListeners ?? [])]) {
      const listener = status.listeners?.find((l) => l.name === want.name);
      const what = `${label} listener ${want.name}`;
      if (!listener) return `${what}: no status`;
      if (want.attachedRoutes !== undefined && listener.attachedRoutes !== want.attachedRoutes)
        return `${what}: attachedRoutes ${listener.attachedRoutes}, want ${want.attachedRoutes}`;
      if (want.supportedKinds) {
        const kinds = listener.supportedKinds.map((k) => k.kind);
        const missing = want.supportedKinds.filter((k) => !kinds.includes(k));
        if ((want.supportedKinds.length === 0 && kinds.length > 0) || missing.length > 0)
          return `${what}: supportedKinds [${kinds}], want [${want.supportedKinds}]${want.supportedKinds.length > 0 ? ' among them' : ''}`;
      }
      const conditions = checkConditions(what, listener.conditions, want.conditions ?? [], gen);
      if (conditions) return conditions;
    }
    return undefined;
  }
  return compareRouteStatus(expected, label, status.parents ?? [], gen);
};

type RouteExpectation = Extract<StatusExpectation, { notAccepted?: boolean }>;
interface AncestorStatus {
  ancestorRef: { name: string; namespace?: string; sectionName?: string };
  conditions: Condition[];
}
interface ParentStatus {
  parentRef: { name: string; namespace?: string; sectionName?: string; port?: number };
  conditions: Condition[];
}

const compareRouteStatus = (
  expected: RouteExpectation,
  label: string,
  parents: readonly ParentStatus[],
  gen: number | undefined,
): string | undefined => {
  if (expected.notAccepted) {
    const accepted = parents.find((p) =>
      p.conditions.some((c) => c.type === 'Accepted' && c.status === 'True'),
    );
    if (accepted)
      return `${label}: accepted by ${accepted.parentRef.name}, want no accepted parent`;
  }
  for (const want of expected.parents ?? []) {
    const parent = parents.find(
      (p) =>
        p.parentRef.name === want.gateway.name &&
        (p.parentRef.namespace ?? expected.namespace) === want.gateway.namespace &&
        (want.sectionName === undefined || p.parentRef.sectionName === want.sectionName) &&
        (want.port === undefined || p.parentRef.port === want.port),
    );
    const what = `${label} parent ${want.gateway.name}${want.sectionName ? `/${want.sectionName}` : ''}`;
    if (!parent) return `${what}: not in status.parents`;
    const problem = checkConditions(what, parent.conditions, want.conditions, gen);
    if (problem) return problem;
  }
  return undefined;
};
