// The EnvoyProxy `patch` of a generated object: strategic merge (lists merged by their Kubernetes
// merge key, `$patch` directives) and JSON merge patch (RFC 7396).

import type { ProxyInfra } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { kubernetesObjects } from '../internal/kubernetesObjects.js';
import { applyObjectPatch } from '../internal/objectPatch.js';

const deployment = {
  spec: {
    template: {
      spec: {
        containers: [
          { name: 'envoy', image: 'envoy', ports: [{ containerPort: 10080, name: 'http' }] },
        ],
        volumes: [{ name: 'config', configMap: { name: 'c' } }],
        tolerations: [{ key: 'a' }],
      },
    },
  },
};

describe('applyObjectPatch', () => {
  it('merges containers, ports and volumes by their merge keys and replaces other lists', () => {
    const patched = applyObjectPatch(deployment, {
      value: {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'envoy', ports: [{ containerPort: 9000, name: 'extra' }] },
                { name: 'sidecar', image: 'sidecar' },
              ],
              volumes: [{ name: 'config', $patch: 'delete' }],
              tolerations: [{ key: 'b' }],
            },
          },
        },
      },
    });
    expect(patched.spec.template.spec).toEqual({
      containers: [
        {
          name: 'envoy',
          image: 'envoy',
          ports: [
            { containerPort: 10080, name: 'http' },
            { containerPort: 9000, name: 'extra' },
          ],
        },
        { name: 'sidecar', image: 'sidecar' },
      ],
      volumes: [],
      tolerations: [{ key: 'b' }],
    });
    // Pure: the generated object is unchanged.
    expect(deployment.spec.template.spec.containers).toHaveLength(1);
  });

  it('replaces an object with $patch: replace and removes a field set to null', () => {
    const patched = applyObjectPatch(deployment, {
      type: 'StrategicMerge',
      value: { spec: { template: { spec: { $patch: 'replace', hostNetwork: true } } } },
    });
    expect(patched.spec.template).toEqual({ spec: { hostNetwork: true } });
    const removed = applyObjectPatch(deployment, {
      value: { spec: { template: { spec: { tolerations: null } } } },
    });
    expect(removed.spec.template.spec).not.toHaveProperty('tolerations');
  });

  it('replaces lists whole with a JSON merge patch, and refuses an unknown type', () => {
    const patched = applyObjectPatch(deployment, {
      type: 'JSONMerge',
      value: { spec: { template: { spec: { containers: [{ name: 'only' }] } } } },
    });
    expect(patched.spec.template.spec.containers).toEqual([{ name: 'only' }]);
    expect(() => applyObjectPatch(deployment, { type: 'JSONPatch', value: [] })).toThrow(
      /unknown patch type JSONPatch/,
    );
    expect(applyObjectPatch(deployment, undefined)).toBe(deployment);
    expect(() =>
      applyObjectPatch(deployment, { value: { spec: { $retainKeys: ['template'] } } }),
    ).toThrow(/\$retainKeys is not supported/);
  });
});

describe('an EnvoyProxy patch that does not apply', () => {
  it('is refused naming its field, so the fleet keeps its objects', () => {
    const proxy: ProxyInfra = {
      name: 'app/gw',
      namespace: 'envoy-gateway-system',
      owner: { gatewayClass: 'egts', gatewayNamespace: 'app', gatewayName: 'gw' },
      labels: {},
      annotations: {},
      listeners: [],
      addresses: [],
      envoyProxy: {
        provider: {
          type: 'Kubernetes',
          kubernetes: { envoyService: { patch: { value: { spec: { $retainKeys: ['type'] } } } } },
        },
      },
    };
    const options = { xds: { host: 'xds', port: 18000 }, certsSecret: 'envoy', image: 'envoy' };
    expect(() => kubernetesObjects(proxy, options)).toThrow(
      /^spec\.provider\.kubernetes\.envoyService\.patch: strategic merge directive \$retainKeys/,
    );
  });
});
