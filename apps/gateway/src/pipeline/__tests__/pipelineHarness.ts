// A pipeline driven by hand for the incremental-path tests: a provider under the test's control,
// a real snapshot cache that records which groups got a snapshot, and debug logs to count the
// paths taken.
import { loadResourcesFromText, type Resources } from '@egts/api';
import { createSnapshotCache, type SnapshotCache, UPDATE_ORDER } from '@egts/xds-server';
import { Subject } from 'rxjs';
import { expect } from 'vitest';
import { createMetrics } from '../../admin/metrics.js';
import { createLogging } from '../../logging.js';
import { createPipeline } from '../createPipeline.js';
import type { ProviderSnapshot } from '../ports.js';

/** Resources from YAML; a load error fails the test (warnings, such as deprecations, do not). */
export const load = (text: string): Resources => {
  const { resources, problems } = loadResourcesFromText(text, 'test');
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return resources;
};

export function setup() {
  const logs: string[] = [];
  const provider = new Subject<ProviderSnapshot>();
  const cache = createSnapshotCache();
  /** Groups given a snapshot since the test last emptied it. */
  const sets: string[] = [];
  const original = cache.setSnapshot.bind(cache);
  cache.setSnapshot = (group, snapshot) => {
    sets.push(group);
    original(group, snapshot);
  };
  const pipeline = createPipeline({
    provider: { resources$: provider },
    cache,
    logging: createLogging({ default: 'debug' }, { write: (line: string) => logs.push(line) }),
    metrics: createMetrics(),
  });
  const push = (resources: Resources) => provider.next({ resources, problems: [] });
  /** How many log lines so far contain every one of `texts`. */
  const logged = (...texts: string[]) =>
    logs.filter((line) => texts.every((text) => line.includes(text))).length;
  return { push, cache, sets, pipeline, logged };
}

/** name -> version of every resource of every group, groups in name order. */
export const versions = (cache: SnapshotCache) =>
  Object.fromEntries(
    [...cache.groups()]
      .sort()
      .map((group) => [
        group,
        Object.fromEntries(
          UPDATE_ORDER.map((type) => [
            type,
            Object.fromEntries(
              [...(cache.getSnapshot(group)?.snapshot.resources(type) ?? [])].map(([n, r]) => [
                n,
                r.version,
              ]),
            ),
          ]),
        ),
      ]),
  );

/** What a pipeline that only ever saw `resources` serves, its statuses and its IR. */
export const fresh = (resources: Resources) => {
  const { push, cache, pipeline } = setup();
  push(resources);
  const served = {
    versions: versions(cache),
    statuses: pipeline.statuses$.value,
    ir: pipeline.xdsIR,
  };
  pipeline.stop();
  return served;
};
