// A resource the loader refuses still gets a status where its kind has one: Accepted=False with
// reason Invalid, naming the file, line and field of each error.
import { describe, expect, it } from 'vitest';
import { loadResourcesFromText, refusedStatuses } from '../index.js';

const text = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: good, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: bad, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 70000}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad, namespace: default}
spec:
  parentRefs: [{name: good}]
  rules: [{matches: [{path: {type: Prefix, value: /}}]}]
---
apiVersion: v1
kind: Service
metadata: {name: bad, namespace: default}
spec: {ports: [{port: -1}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: good, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 81}]
`;

describe('refusedStatuses', () => {
  const { resources, problems } = loadResourcesFromText(text, 'routes.yaml');

  it('is Accepted=False for each refused resource with a status, naming file, line and field', () => {
    const statuses = refusedStatuses(problems, resources);
    expect(statuses.map((s) => `${s.kind} ${s.metadata.name}`)).toEqual([
      'Gateway bad',
      'HTTPRoute bad',
    ]);
    expect(statuses[0]).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'bad', namespace: 'default' },
      status: {
        conditions: [
          {
            type: 'Accepted',
            status: 'False',
            reason: 'Invalid',
            message: expect.stringMatching(
              /^Refused: routes\.yaml:13: spec\.listeners\[0\]\.port: /,
            ),
          },
        ],
      },
    });
    expect(statuses[1]!.status).toMatchObject({
      conditions: [
        {
          message: expect.stringMatching(
            /^Refused: routes\.yaml:20: spec\.rules\[0\]\.matches\[0\]\.path\.type: /,
          ),
        },
      ],
    });
  });

  it('gives none to a kind without a status, nor to a duplicate (the first one read is served)', () => {
    const statuses = refusedStatuses(problems, resources);
    expect(problems.some((p) => p.kind === 'Service' && p.severity === 'error')).toBe(true);
    expect(problems.some((p) => /duplicate/.test(p.message))).toBe(true);
    expect(statuses.some((s) => s.kind === 'Service' || s.metadata.name === 'good')).toBe(false);
  });
});
