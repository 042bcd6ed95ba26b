// Turns one parsed object into a typed resource: finds its kind, checks it against the schema of
// its version (applying the CRD's defaults) and reports every problem with its field path.
import type { z } from 'zod';
import { apiVersionOf, type KindDefinition } from '../kindDefinition.js';
import {
  type ExtensionResource,
  type Resource,
  type Resources,
  resourceKinds,
} from '../resources.js';
import { measureValue, type ValueMeasure } from './documentBounds.js';
import { caseFoldedField } from './fieldNames.js';
import { isRecord } from './isRecord.js';
import { formatFieldPath } from './problem.js';

export interface DecodedResource {
  collection: keyof Resources;
  resource: Resource;
}

/** A problem in one object, before the loader adds where the object came from. */
export interface ObjectProblem {
  severity: 'error' | 'warning';
  path: Array<string | number>;
  message: string;
  /** An unknown field: an error to fix, yet the resource is read without it (see Problem). */
  pruned?: true | undefined;
}

export interface DecodeResult {
  decoded?: DecodedResource | undefined;
  problems: ObjectProblem[];
}

const byGroupKind = new Map<string, { collection: keyof Resources; definition: KindDefinition }>(
  resourceKinds.map((entry) => [`${entry.definition.group}/${entry.definition.kind}`, entry]),
);

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The kinds egts reads, as `apiVersion kind` pairs, for messages and help. */
export const knownKinds: string[] = resourceKinds.flatMap(({ definition }) =>
  Object.keys(definition.versions).map(
    (v) => `${apiVersionOf(definition.group, v)} ${definition.kind}`,
  ),
);

export interface DecodeOptions {
  /**
   * Keep a resource whose values break the CRD's rules (enums, patterns, lengths, bounds) when its
   * structure is sound, as Envoy Gateway's translator reads it, so that it gets a status condition
   * instead of vanishing. The problems are reported either way. Such a resource's typed fields may
   * hold values outside their declared enums and patterns: whoever reads it checks them.
   */
  lenient?: boolean | undefined;
  /**
   * `group/kind` of the kinds an extension server registers (EnvoyGateway `extensionManager`):
   * objects of these kinds are kept unstructured, in `extensionResources`, instead of refused.
   */
  extensionKinds?: ReadonlySet<string> | undefined;
}

// Issue codes that mean a value breaks a rule, not that the object has the wrong shape.
const valueIssueCodes = new Set([
  'invalid_value',
  'invalid_format',
  'too_small',
  'too_big',
  'not_multiple_of',
]);

/**
 * Decodes one object. The input is never mutated. An object past the bounds of documentBounds.ts
 * (nesting, list lengths, values, alias expansions) is refused before any other work. Null fields
 * count as absent, as the API server prunes them. Unknown fields are errors (`unknown field
 * "spec.foo"`, as kubectl's strict field validation says) marked `pruned`: the resource is still
 * read, without them, as the API server stores it by default. A version the CRDs no longer serve is read as the storage
 * version, as the API server would convert it (Gateway API versions differ only in validation),
 * with a warning.
 */
export const decodeResource = (object: unknown, options: DecodeOptions = {}): DecodeResult =>
  decodeMeasured(object, undefined, options);

/** decodeResource, given `measureValue(object)` when the reader took it already. */
export function decodeMeasured(
  object: unknown,
  measured: ValueMeasure | undefined,
  options: DecodeOptions = {},
): DecodeResult {
  if (!isRecord(object)) {
    return { problems: [{ severity: 'error', path: [], message: 'a resource must be a mapping' }] };
  }
  const measure = measured ?? measureValue(object);
  if (measure.problem) return { problems: [{ severity: 'error', ...measure.problem }] };
  const { apiVersion, kind } = object;
  const problems: ObjectProblem[] = [];
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    problems.push({
      severity: 'error',
      path: ['apiVersion'],
      message: 'required field is missing',
    });
  }
  if (typeof kind !== 'string' || kind === '') {
    problems.push({ severity: 'error', path: ['kind'], message: 'required field is missing' });
  }
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || problems.length > 0) {
    return { problems };
  }
  const { group, version } = splitApiVersion(apiVersion);
  const entry = byGroupKind.get(`${group}/${kind}`);
  if (!entry && options.extensionKinds?.has(`${group}/${kind}`)) return decodeExtension(object);
  if (!entry) {
    return {
      problems: [
        {
          severity: 'error',
          path: ['kind'],
          message: `unknown kind ${apiVersion} ${kind}: skipped`,
        },
      ],
    };
  }
  const { definition, collection } = entry;
  let readAs = version;
  let input = (measure.nulls ? withoutNulls(object) : object) as Record<string, unknown>;
  if (!definition.versions[version]) {
    readAs = definition.storageVersion;
    const storage = apiVersionOf(group, readAs);
    input = { ...input, apiVersion: storage };
    const served = Object.keys(definition.versions).join(', ');
    problems.push({
      severity: 'warning',
      path: ['apiVersion'],
      message: `${apiVersion} is not served for ${kind} (served: ${served}); read as ${storage}`,
    });
  } else if (definition.deprecatedVersions.includes(version)) {
    problems.push({
      severity: 'warning',
      path: ['apiVersion'],
      message: `${apiVersion} ${kind} is deprecated; use ${apiVersionOf(group, definition.storageVersion)}`,
    });
  }
  input = withNamespace(input, definition, problems);
  const schema = definition.versions[readAs]!;
  let strict = schema.safeParse(input);
  if (!strict.success) {
    // Only a failed parse can hold wrongly-cased fields; a valid resource is parsed once.
    const folded = withFoldedFieldNames(schema, input, strict.error.issues, problems);
    if (folded !== input) {
      input = folded;
      strict = schema.safeParse(input);
    }
  }
  // A status is what controllers wrote, not what is asked for: one that breaks the schema (an
  // older controller's, or hand-written without lastTransitionTime) never costs the resource its
  // spec. The spec is decoded alone and the status kept as given, for the controller to merge.
  let givenStatus: unknown;
  if (!strict.success && strict.error.issues.some((i) => isStatusError(i))) {
    const { status, ...rest } = input;
    givenStatus = status;
    input = rest;
    strict = schema.safeParse(input);
    problems.push({
      severity: 'warning',
      path: ['status'],
      message: 'status does not match the schema: kept as given, not validated',
    });
  }
  const withGivenStatus = (resource: unknown): Resource =>
    (givenStatus === undefined
      ? resource
      : { ...(resource as Record<string, unknown>), status: givenStatus }) as Resource;
  if (strict.success)
    return { decoded: { collection, resource: withGivenStatus(strict.data) }, problems };

  const issues = strict.error.issues.flatMap(problemsOf);
  problems.push(...issues);
  const structural = issues.some((p) => p.severity === 'error' && !p.valueRule && !p.pruned);
  const valueErrors = issues.some((p) => p.valueRule);
  if (structural || (valueErrors && !options.lenient)) return { problems: problems.map(strip) };
  if (!valueErrors) {
    // Only unknown fields: read as the API server stores it, pruned, through the same schema (its
    // defaults and checks), a second pass that only a resource with unknown fields pays.
    const pruned = schema.safeParse(withoutFields(input, issues));
    if (pruned.success) {
      return {
        decoded: { collection, resource: withGivenStatus(pruned.data) },
        problems: problems.map(strip),
      };
    }
  }
  // Broken value rules, when lenient: read the structure.
  const lenient = definition.lenientVersions[readAs]!.safeParse(input);
  if (!lenient.success) return { problems: problems.map(strip) };
  return {
    decoded: { collection, resource: withGivenStatus(lenient.data) },
    problems: problems.map(strip),
  };
}

/**
 * An object of an extension's kind: egts knows nothing of its schema, so only its identity is
 * checked; a namespace defaults to "default" as for every namespaced kind egts reads.
 */
function decodeExtension(object: Record<string, unknown>): DecodeResult {
  const metadata = object.metadata;
  if (!isRecord(metadata) || typeof metadata.name !== 'string' || metadata.name === '') {
    return {
      problems: [
        { severity: 'error', path: ['metadata', 'name'], message: 'required field is missing' },
      ],
    };
  }
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
  const resource = { ...object, metadata: { ...metadata, namespace } } as ExtensionResource;
  return { decoded: { collection: 'extensionResources', resource }, problems: [] };
}

const isStatusError = (issue: z.core.$ZodIssue): boolean =>
  issue.path[0] === 'status' && issue.code !== 'unrecognized_keys';

const strip = ({ severity, path, message, pruned }: ObjectProblem): ObjectProblem => ({
  severity,
  path,
  message,
  ...(pruned ? { pruned } : {}),
});

/** A copy of `value` without the fields that problems marked `pruned` name. */
function withoutFields(value: Record<string, unknown>, problems: readonly ObjectProblem[]) {
  let out: unknown = value;
  for (const problem of problems) {
    if (problem.pruned) out = removeAt(out, problem.path);
  }
  return out;
}

/** A copy of `value` without the field at `path` (unchanged when the path leads nowhere). */
function removeAt(value: unknown, path: ReadonlyArray<string | number>): unknown {
  const [head, ...tail] = path;
  if (Array.isArray(value) && typeof head === 'number' && tail.length > 0) {
    return value.map((item, i) => (i === head ? removeAt(item, tail) : item));
  }
  if (!isRecord(value) || typeof head !== 'string' || !(head in value)) return value;
  if (tail.length === 0) {
    const { [head]: _removed, ...rest } = value;
    return rest;
  }
  return { ...value, [head]: removeAt(value[head], tail) };
}

/**
 * Renames fields spelled with the wrong case (`Name` for `name`), with a warning: Envoy Gateway
 * reads them through Go's case-insensitive JSON decoding, so such files exist and work there.
 */
function withFoldedFieldNames(
  schema: z.ZodType,
  input: Record<string, unknown>,
  issues: readonly z.core.$ZodIssue[],
  problems: ObjectProblem[],
): Record<string, unknown> {
  let out = input;
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    for (const key of issue.keys) {
      const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
      const field = caseFoldedField(schema, path, key);
      if (field === undefined) continue;
      out = renameAt(out, path, key, field) as Record<string, unknown>;
      problems.push({
        severity: 'warning',
        path: [...path, key],
        message: `field names are case-sensitive: read as ${JSON.stringify(field)}`,
      });
    }
  }
  return out;
}

/** A copy of `value` with the field `from` renamed `to` in the object at `path`. */
function renameAt(
  value: unknown,
  path: ReadonlyArray<string | number>,
  from: string,
  to: string,
): unknown {
  if (path.length === 0) {
    if (!isRecord(value) || value[to] !== undefined) return value;
    const { [from]: moved, ...rest } = value;
    return { ...rest, [to]: moved };
  }
  const [head, ...tail] = path;
  if (Array.isArray(value) && typeof head === 'number') {
    return value.map((item, i) => (i === head ? renameAt(item, tail, from, to) : item));
  }
  if (isRecord(value) && typeof head === 'string') {
    return { ...value, [head]: renameAt(value[head], tail, from, to) };
  }
  return value;
}

/** A copy without null-valued fields: the API server prunes nulls of non-nullable fields. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== null) out[key] = withoutNulls(field);
  }
  return out;
}

/** Namespaced kinds default to namespace "default", as kubectl does; cluster-scoped kinds have none. */
function withNamespace(
  object: Record<string, unknown>,
  definition: KindDefinition,
  problems: ObjectProblem[],
): Record<string, unknown> {
  const metadata = object.metadata;
  if (!isRecord(metadata)) return object;
  if (definition.namespaced && metadata.namespace === undefined) {
    return { ...object, metadata: { ...metadata, namespace: 'default' } };
  }
  if (!definition.namespaced && metadata.namespace !== undefined) {
    problems.push({
      severity: 'warning',
      path: ['metadata', 'namespace'],
      message: `${definition.kind} is cluster-scoped: namespace ignored`,
    });
    const { namespace: _ignored, ...rest } = metadata;
    return { ...object, metadata: rest };
  }
  return object;
}

function problemsOf(issue: z.core.$ZodIssue): Array<ObjectProblem & { valueRule?: boolean }> {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  if (issue.code === 'unrecognized_keys') {
    // Worded as kubectl's strict field validation words it; the resource is read without the
    // field, as the API server's default (pruning) stores it, but the mistake is an error.
    return issue.keys.map((key) => ({
      severity: 'error',
      path: [...path, key],
      message: `unknown field ${JSON.stringify(formatFieldPath([...path, key]))}`,
      pruned: true,
    }));
  }
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return [{ severity: 'error', path, message: 'required field is missing' }];
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  return [{ severity: 'error', path, message, valueRule: valueIssueCodes.has(issue.code) }];
}
