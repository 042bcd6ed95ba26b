// Test helper: translate a YAML stream (lenient load, as `egts translate` does) and look statuses up.
import { loadResourcesFromText } from '@egts/api';
import { translate } from '../index.js';

export const BASE = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: envoy-gateway-class }
spec: { controllerName: gateway.envoyproxy.io/gatewayclass-controller }
---
apiVersion: v1
kind: Service
metadata: { name: service-1, namespace: default }
spec: { ports: [{ port: 8080, protocol: TCP }] }
`;

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message?: string;
}
interface Ref {
  name: string;
  kind?: string;
  sectionName?: string;
}
/** The parts of a status the tests read. */
export interface Status {
  conditions: Condition[];
  listeners: { name: string; attachedRoutes: number; conditions: Condition[] }[];
  parents: { parentRef: Ref; controllerName: string; conditions: Condition[] }[];
  ancestors: { ancestorRef: Ref; conditions: Condition[] }[];
}

/** Statuses of the given YAML (appended to a GatewayClass of ours and a Service), by kind/ns/name. */
export function statusesOf(yaml: string): (kind: string, name: string, ns?: string) => Status {
  const { resources } = loadResourcesFromText(`${BASE}---\n${yaml}`, 'test.yaml', {
    lenient: true,
  });
  const statuses = translate(resources, { now: new Date('2030-01-01T00:00:00Z') }).statuses;
  return (kind, name, ns) => {
    const found = statuses.find(
      (s) =>
        s.kind === kind &&
        s.metadata.name === name &&
        (ns === undefined || s.metadata.namespace === ns),
    );
    if (!found) throw new Error(`no status for ${kind} ${ns ?? ''}/${name}`);
    return found.status as unknown as Status;
  };
}

/** `type=status/reason` of each condition, for compact assertions. */
export const conds = (list: readonly Condition[] = []) =>
  Object.fromEntries(list.map((c) => [c.type, `${c.status}/${c.reason}`]));
