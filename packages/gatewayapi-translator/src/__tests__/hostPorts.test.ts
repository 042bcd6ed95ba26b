// Host mode: two Gateways on one port. The older keeps it; the later one's listener is not
// programmed and names the other Gateway, so no second proxy listens there (issue #16, item 3).
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';

const gateway = (name: string, created: string, listeners: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {namespace: default, name: ${name}, creationTimestamp: "${created}"}
spec:
  gatewayClassName: eg
  listeners: ${listeners}
`;

const input = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
${gateway('later', '2025-02-01T00:00:00Z', '[{name: http, protocol: HTTP, port: 80}, {name: other, protocol: HTTP, port: 8081}]')}${gateway('first', '2025-01-01T00:00:00Z', '[{name: http, protocol: HTTP, port: 80}]')}`;

const { resources } = loadResourcesFromText(input, 'gateways.yaml');
const now = new Date('2030-01-01T00:00:00Z');

type Listener = {
  name: string;
  conditions: { type: string; status: string; reason: string; message: string }[];
};
const listeners = (result: ReturnType<typeof translate>, name: string): Listener[] => {
  const gateway = result.statuses.find((s) => s.kind === 'Gateway' && s.metadata.name === name);
  return (gateway?.status as { listeners?: Listener[] } | undefined)?.listeners ?? [];
};
const condition = (listener: Listener | undefined, type: string) =>
  listener?.conditions.find((c) => c.type === type);
const irPorts = (result: ReturnType<typeof translate>, fleet: string) =>
  result.xdsIR.find((ir) => ir.name === fleet)?.http.map((l) => l.port) ?? [];

describe('host ports shared by Gateways', () => {
  it('leaves the later Gateway’s listener on a taken port unprogrammed, naming the other', () => {
    const result = translate(resources, { now, sharedHostPorts: true });
    const [http, other] = listeners(result, 'later');
    expect(condition(http, 'Accepted')).toMatchObject({
      status: 'False',
      reason: 'PortUnavailable',
    });
    expect(condition(http, 'Programmed')?.status).toBe('False');
    expect(condition(http, 'Accepted')?.message).toMatch(
      /already used on this host by Gateway default\/first/,
    );
    expect(condition(other, 'Programmed')?.status).toBe('True');
    expect(condition(listeners(result, 'first')[0], 'Programmed')?.status).toBe('True');
    expect(irPorts(result, 'default/later')).toEqual([8081]);
    expect(irPorts(result, 'default/first')).toEqual([10080]);
  });

  it('lets each Gateway have the port where each has its own address (Kubernetes)', () => {
    const result = translate(resources, { now });
    expect(condition(listeners(result, 'later')[0], 'Programmed')?.status).toBe('True');
  });
});
