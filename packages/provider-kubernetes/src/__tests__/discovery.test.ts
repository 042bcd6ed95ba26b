// An extension kind's resource, as API discovery lists it: the CRD's plural and scope, never a
// subresource, nothing for a kind the group/version does not serve.
import { describe, expect, it } from 'vitest';
import { discoveredResource } from '../kubernetesProvider.js';

const list = {
  resources: [
    { name: 'octopi', kind: 'Octopus', namespaced: true },
    { name: 'octopi/status', kind: 'Octopus', namespaced: true },
    { name: 'reefs', kind: 'Reef', namespaced: false },
  ],
};

describe('discoveredResource', () => {
  it('takes the plural and scope the API server lists', () => {
    expect(discoveredResource(list, 'Octopus')).toEqual({ plural: 'octopi', namespaced: true });
    expect(discoveredResource(list, 'Reef')).toEqual({ plural: 'reefs', namespaced: false });
    expect(discoveredResource({ resources: [list.resources[1]!] }, 'Octopus')).toBeUndefined();
    expect(discoveredResource(list, 'Squid')).toBeUndefined();
    expect(discoveredResource(undefined, 'Octopus')).toBeUndefined();
  });
});
