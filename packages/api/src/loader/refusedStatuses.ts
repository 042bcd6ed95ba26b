// Statuses for the resources the loader refused (a field breaks the kind's schema, as the API
// server would refuse it). They never reach the translator, so without these a refused route or
// policy would have no status at all, only a problem in a log: "bad input gets a status condition
// where the resource has a status" (DEVELOPERS.md). The condition sits at the top of the status,
// whatever the kind: what a broken resource names (its parents, its targets) is not trusted.
import { type Resource, type Resources, resourceKinds } from '../resources.js';
import type { ResourceStatus } from '../stageContracts.js';
import { formatFieldPath, type Problem } from './problem.js';

/** The kinds that have a status of their own (Services, Secrets... do not get one from egts). */
const KINDS_WITH_STATUS: ReadonlyMap<string, keyof Resources> = new Map(
  resourceKinds
    .filter(
      (k) =>
        ['class', 'gateway', 'listenerSet', 'route', 'backendPolicy', 'policy'].includes(k.role) ||
        k.definition.kind === 'Backend',
    )
    .map((k) => [k.definition.kind, k.collection]),
);

/** `file:line: field: message`, for a condition's message. */
const where = (problem: Problem): string => {
  const at = [problem.file, problem.line].filter((x) => x !== undefined).join(':');
  const field = formatFieldPath(problem.path);
  return [at, field, problem.message].filter((part) => part !== '').join(': ');
};

/**
 * An Accepted=False (reason Invalid) status for each resource that `problems` name with an error
 * and `resources` do not hold (it was refused, not read), naming the file, line and field of each
 * error. Deterministic: sorted by kind, namespace and name.
 */
export function refusedStatuses(
  problems: readonly Problem[],
  resources: Resources,
): ResourceStatus[] {
  const refused = new Map<string, { first: Problem; messages: string[] }>();
  for (const problem of problems) {
    const { kind, name } = problem;
    if (problem.severity !== 'error' || kind === undefined || name === undefined) continue;
    const collection = KINDS_WITH_STATUS.get(kind);
    if (collection === undefined) continue;
    const namespace = problem.namespace;
    const held = (resources[collection] as readonly Resource[]).some(
      (r) => r.metadata.name === name && r.metadata.namespace === namespace,
    );
    if (held) continue; // read (a duplicate was refused, or a file keeps its last good content)
    const key = `${kind}\0${namespace ?? ''}\0${name}`;
    const entry = refused.get(key) ?? { first: problem, messages: [] };
    entry.messages.push(where(problem));
    refused.set(key, entry);
  }
  return [...refused.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { first, messages }]) => ({
      apiVersion: first.apiVersion ?? '',
      kind: first.kind!,
      metadata: {
        name: first.name!,
        ...(first.namespace === undefined ? {} : { namespace: first.namespace }),
      },
      status: {
        conditions: [
          {
            type: 'Accepted',
            status: 'False',
            reason: 'Invalid',
            message: `Refused: ${messages.join('; ')}`,
          },
        ],
      },
    }));
}
