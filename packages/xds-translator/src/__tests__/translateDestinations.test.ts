// translateDestinations gives the clusters and endpoints translateXds gives, message for message,
// on every golden case and in both modes: an endpoint update built from it swaps in equal messages.
import { describe, expect, it } from 'vitest';
import { translateXds, type XdsMode } from '../index.js';
import { translateDestinations } from '../translateDestinations.js';
import { caseIR, goldenCases } from './goldens.js';

describe('translateDestinations', () => {
  const modes: XdsMode[] = ['ads', 'static'];
  it.each(goldenCases())('has every cluster of %s that translateXds has, equal', async (name) => {
    for (const ir of await caseIR(name)) {
      for (const mode of modes) {
        const full = translateXds(structuredClone(ir), { mode });
        const only = translateDestinations(structuredClone(ir), { mode });
        const byName = new Map(only.clusters.map((c) => [c.name, c]));
        for (const cluster of full.clusters) expect(byName.get(cluster.name)).toEqual(cluster);
        const endpoints = new Map(only.endpoints.map((e) => [e.clusterName, e]));
        for (const assignment of full.endpoints) {
          expect(endpoints.get(assignment.clusterName)).toEqual(assignment);
        }
        // Endpoints only: the same assignments; of the clusters, only those holding endpoints.
        const lean = translateDestinations(structuredClone(ir), { mode }, undefined, true);
        expect(lean.endpoints).toEqual(only.endpoints);
        const held = only.clusters.filter((c) => mode === 'static' || c.loadAssignment);
        expect(lean.clusters).toEqual(held);
      }
    }
  });
});
