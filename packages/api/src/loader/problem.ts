// A problem found in the input: where it is (file, document, line, resource, field) and what is wrong.

export interface Problem {
  severity: 'error' | 'warning';
  /** The file it came from; `<stdin>` or a caller's label for text. */
  file: string;
  /** 1-based index of the YAML document in the file. */
  document?: number | undefined;
  /** 1-based line of the field (or the document) in the file, when known. */
  line?: number | undefined;
  apiVersion?: string | undefined;
  kind?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
  /** The field, as a path from the resource's root, e.g. ["spec", "rules", 0, "matches"]. */
  path: Array<string | number>;
  message: string;
  /**
   * Set on an unknown field (an error: `egts validate` fails): the resource is read without the
   * field, as the API server prunes it, so the error refuses nothing. Whoever keeps or refuses
   * input on errors (a file's last good content, a request) lets these through.
   */
  pruned?: true | undefined;
}

/** An error that refuses what it names: any error but an unknown field, read pruned. */
export const refuses = (problem: Pick<Problem, 'severity' | 'pruned'>): boolean =>
  problem.severity === 'error' && problem.pruned !== true;

/** `spec.rules[0].matches`, the way kubectl names a field. */
export function formatFieldPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** One line for people: `file:line (document N) Kind ns/name: field: message`. */
export function formatProblem(problem: Problem): string {
  const where = [problem.file, problem.line].filter((x) => x !== undefined).join(':');
  const document = problem.document === undefined ? '' : ` (document ${problem.document})`;
  const objectName = [problem.namespace, problem.name].filter(Boolean).join('/');
  const resource = [problem.kind, objectName].filter(Boolean).join(' ');
  // An unknown field's message names it already, as kubectl does.
  const field = problem.pruned ? '' : formatFieldPath(problem.path);
  const parts = [`${where}${document}`, resource, field, problem.message].filter((p) => p !== '');
  return `${problem.severity}: ${parts.join(': ')}`;
}
