// Turns built objects into a typed Resources bundle through the real loader, failing loudly on
// any problem so a test never runs on input it did not mean.
import { formatProblem, loadResourcesFromText, type Resources } from '@egts/api';

export function resourcesOf(
  ...objects: Array<Record<string, unknown> | Array<Record<string, unknown>>>
): Resources {
  const text = objects
    .flat()
    .map((o) => JSON.stringify(o))
    .join('\n---\n');
  const { resources, problems } = loadResourcesFromText(text, 'fixture');
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0)
    throw new Error(`fixture is invalid:\n${errors.map(formatProblem).join('\n')}`);
  return resources;
}
