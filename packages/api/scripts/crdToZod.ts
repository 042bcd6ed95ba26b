// Renders one CustomResourceDefinition as a TypeScript module: an interface per kind (with the
// CRD's descriptions as doc comments) and a zod schema per served version that checks what the
// CRD's structural OpenAPI v3 schema checks — types, enums, patterns, lengths, bounds, item
// counts, required fields, unknown fields — and applies its defaults. CEL rules
// (x-kubernetes-validations) are not translated; see the package README.

/** The subset of Kubernetes' JSONSchemaProps that CRDs use. */
export interface SchemaProps {
  type?: string;
  description?: string;
  properties?: Record<string, SchemaProps>;
  required?: string[];
  items?: SchemaProps;
  additionalProperties?: SchemaProps | boolean;
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  anyOf?: SchemaProps[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  schema: { openAPIV3Schema: SchemaProps };
}

interface Crd {
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string; plural: string };
    versions: CrdVersion[];
  };
}

/** Where the CRDs are read from, relative to ../shared. */
export const crdSources = [
  {
    dir: 'gateway-api/crds/experimental',
    match: /^gateway\.networking\.k8s\.io_(?!vap_).*\.yaml$/,
  },
  { dir: 'envoy-gateway/crds', match: /^gateway\.envoyproxy\.io_.*\.yaml$/ },
];

const identifier = /^[A-Za-z_$][\w$]*$/;
const propertyKey = (name: string) => (identifier.test(name) ? name : JSON.stringify(name));
// HTTPRoute -> httpRoute, BackendTLSPolicy -> backendTLSPolicy: a leading acronym goes lowercase whole.
const lowerFirst = (s: string) =>
  s.replace(/^[A-Z]+(?=[A-Z][a-z])|^[A-Z]+$|^[A-Z]/, (head) => head.toLowerCase());
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The first paragraph of a description, as a doc comment. */
function docComment(description: string | undefined, indent: string): string {
  if (!description) return '';
  let text = description
    .split(/\n\s*\n/)[0]!
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length > 400) text = `${text.slice(0, 397)}...`;
  return `${indent}/** ${text.replaceAll('*/', '*\\/')} */\n`;
}

/** True when a pattern from Go's RE2 is also a valid JavaScript regular expression. */
function jsPattern(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return pattern;
  } catch {
    return undefined;
  }
}

const isOpenObject = (s: SchemaProps) =>
  s['x-kubernetes-preserve-unknown-fields'] === true && s.properties !== undefined;

/** The TypeScript type of a schema. */
export function renderType(s: SchemaProps, indent: string): string {
  const nullable = s.nullable ? ' | null' : '';
  if (s['x-kubernetes-int-or-string']) return `number | string${nullable}`;
  if (s.enum && s.enum.length > 0) {
    return `${s.enum.map((v) => JSON.stringify(v)).join(' | ')}${nullable}`;
  }
  switch (s.type) {
    case 'string':
      return `string${nullable}`;
    case 'integer':
    case 'number':
      return `number${nullable}`;
    case 'boolean':
      return `boolean${nullable}`;
    case 'array': {
      const item = s.items ? renderType(s.items, indent) : 'unknown';
      return `Array<${item}>${nullable}`;
    }
    case 'object':
      return `${renderObjectType(s, indent)}${nullable}`;
    default:
      return 'unknown';
  }
}

function renderObjectType(s: SchemaProps, indent: string): string {
  if (!s.properties) {
    if (typeof s.additionalProperties === 'object') {
      return `Record<string, ${renderType(s.additionalProperties, indent)}>`;
    }
    return 'Record<string, unknown>';
  }
  const inner = `${indent}  `;
  const required = new Set(s.required ?? []);
  const lines = Object.entries(s.properties).map(([name, prop]) => {
    const always = required.has(name) || prop.default !== undefined;
    const type = renderType(prop, inner);
    const field = always
      ? `${propertyKey(name)}: ${type}`
      : `${propertyKey(name)}?: ${type} | undefined`;
    return `${docComment(prop.description, inner)}${inner}${field};\n`;
  });
  if (isOpenObject(s)) lines.push(`${inner}[key: string]: unknown;\n`);
  return `{\n${lines.join('')}${indent}}`;
}

/**
 * How much a rendered schema checks. `strict` checks all the CRD says, as the API server would.
 * `lenient` checks only structure (types, required fields) and applies defaults, so that a
 * resource with a bad value can still be read and given a status condition by the translator.
 */
export type Mode = 'strict' | 'lenient';

/** The zod schema of a schema, with its checks and default. */
export function renderZod(s: SchemaProps, indent: string, mode: Mode): string {
  let out = renderZodBase(s, indent, mode);
  if (s.nullable) out += '.nullable()';
  if (s.default !== undefined) out += `.default(${JSON.stringify(s.default)})`;
  return out;
}

function renderZodBase(s: SchemaProps, indent: string, mode: Mode): string {
  if (s['x-kubernetes-int-or-string']) return 'intOrString';
  if (s.enum && s.enum.length > 0 && mode === 'strict') {
    if (s.enum.every((v) => typeof v === 'string')) return `z.enum(${JSON.stringify(s.enum)})`;
    // One literal schema of several values: a miss is an `invalid_value` issue, a value rule.
    return `z.literal(${JSON.stringify(s.enum)})`;
  }
  switch (s.type) {
    case 'string': {
      let out = 'z.string()';
      if (mode === 'lenient') return out;
      if (s.minLength !== undefined) out += `.min(${s.minLength})`;
      if (s.maxLength !== undefined) out += `.max(${s.maxLength})`;
      const pattern = s.pattern === undefined ? undefined : jsPattern(s.pattern);
      if (pattern !== undefined) out += `.regex(new RegExp(${JSON.stringify(pattern)}))`;
      return out;
    }
    case 'integer':
    case 'number': {
      let out = s.type === 'integer' ? 'z.number().int()' : 'z.number()';
      if (mode === 'lenient') return out;
      if (s.minimum !== undefined) out += `.${s.exclusiveMinimum ? 'gt' : 'gte'}(${s.minimum})`;
      if (s.maximum !== undefined) out += `.${s.exclusiveMaximum ? 'lt' : 'lte'}(${s.maximum})`;
      return out;
    }
    case 'boolean':
      return 'z.boolean()';
    case 'array': {
      let out = `z.array(${s.items ? renderZod(s.items, indent, mode) : 'z.unknown()'})`;
      if (mode === 'lenient') return out;
      if (s.minItems !== undefined) out += `.min(${s.minItems})`;
      if (s.maxItems !== undefined) out += `.max(${s.maxItems})`;
      return out;
    }
    case 'object':
      return renderZodObject(s, indent, mode);
    default:
      return 'z.unknown()';
  }
}

function renderZodObject(s: SchemaProps, indent: string, mode: Mode): string {
  if (!s.properties) {
    const value =
      typeof s.additionalProperties === 'object'
        ? renderZod(s.additionalProperties, indent, mode)
        : 'z.unknown()';
    return `z.record(z.string(), ${value})`;
  }
  const inner = `${indent}  `;
  const required = new Set(s.required ?? []);
  const lines = Object.entries(s.properties).map(([name, prop]) => {
    const optional = !required.has(name) && prop.default === undefined ? '.optional()' : '';
    return `${inner}${propertyKey(name)}: ${renderZod(prop, inner, mode)}${optional},\n`;
  });
  // Unknown fields are reported by the strict schema (the API server's strict field validation)
  // and dropped by the lenient one (its pruning), except where the schema keeps them.
  const objectSchema = isOpenObject(s)
    ? 'z.looseObject'
    : mode === 'strict'
      ? 'z.strictObject'
      : 'z.object';
  return `${objectSchema}({\n${lines.join('')}${indent}})`;
}

/** The schema without descriptions, to tell versions that differ only in prose apart. */
function shape(s: unknown): string {
  return JSON.stringify(s, (key, value) => (key === 'description' ? undefined : value));
}

export interface RenderedCrd {
  fileName: string;
  text: string;
  kind: string;
}

export function renderCrd(crd: Crd, source: string): RenderedCrd {
  const { group, names, scope } = crd.spec;
  const kind = names.kind;
  const served = crd.spec.versions.filter((v) => v.served);
  // Versions whose schemas are the same (ignoring prose) share one interface.
  const shapes = new Map<string, CrdVersion[]>();
  for (const version of served) {
    const key = shape(version.schema.openAPIV3Schema);
    shapes.set(key, [...(shapes.get(key) ?? []), version]);
  }
  const groups = [...shapes.values()];
  const typeName = (versions: CrdVersion[]) =>
    groups.length === 1 ? kind : `${kind}${upperFirst(versions[0]!.name)}`;

  let text = `// Generated by packages/api/scripts/generate.ts from ../shared/${source}. Do not edit.\n`;
  text += `import { z } from 'zod';\nimport { intOrString } from '../intOrString.js';\n`;
  text += `import type { KindDefinition } from '../kindDefinition.js';\n`;
  text += `import { type ObjectMeta, objectMetaSchema } from '../objectMeta.js';\n\n`;

  for (const versions of groups) {
    const name = typeName(versions);
    const root = versions[0]!.schema.openAPIV3Schema;
    const apiVersions = versions.map((v) => JSON.stringify(`${group}/${v.name}`)).join(' | ');
    const spec = root.properties?.spec;
    const status = root.properties?.status;
    const specRequired = root.required?.includes('spec') ?? false;
    if (spec)
      text += `${docComment(spec.description, '')}export type ${name}Spec = ${renderType(spec, '')};\n\n`;
    if (status)
      text += `${docComment(status.description, '')}export type ${name}Status = ${renderType(status, '')};\n\n`;
    text += docComment(root.description, '');
    text += `export interface ${name} {\n  apiVersion: ${apiVersions};\n  kind: ${JSON.stringify(kind)};\n  metadata: ObjectMeta;\n`;
    if (spec)
      text += `  spec${specRequired ? '' : '?'}: ${name}Spec${specRequired ? '' : ' | undefined'};\n`;
    if (status) text += `  status?: ${name}Status | undefined;\n`;
    text += '}\n\n';
    for (const mode of ['strict', 'lenient'] as const) {
      const suffix = mode === 'strict' ? '' : 'Lenient';
      const specSchema = `${lowerFirst(name)}Spec${suffix}Schema`;
      const statusSchema = `${lowerFirst(name)}Status${suffix}Schema`;
      // Spec and status schemas are built on first parse (z.lazy caches them): together they are
      // most of a process's memory at startup, and a process reads few of the kinds and versions.
      if (spec) text += `const ${specSchema} = z.lazy(() => ${renderZod(spec, '', mode)});\n\n`;
      if (status)
        text += `const ${statusSchema} = z.lazy(() => ${renderZod(status, '', mode)});\n\n`;
      for (const version of versions) {
        const apiVersion = `${group}/${version.name}`;
        const type = mode === 'strict' ? `z.ZodType<${name}>` : 'z.ZodType';
        const object = mode === 'strict' ? 'z.strictObject' : 'z.object';
        const note = `${version.deprecated ? ' (deprecated)' : ''}${mode === 'strict' ? '' : ', structure only'}`;
        text += `/** ${kind} ${apiVersion}${note}. */\n`;
        text += `export const ${lowerFirst(kind)}${upperFirst(version.name)}${suffix}Schema: ${type} = ${object}({\n`;
        text += `  apiVersion: z.literal(${JSON.stringify(apiVersion)}),\n  kind: z.literal(${JSON.stringify(kind)}),\n  metadata: objectMetaSchema,\n`;
        if (spec) text += `  spec: ${specSchema}${specRequired ? '' : '.optional()'},\n`;
        if (status) text += `  status: ${statusSchema}.optional(),\n`;
        text += '});\n\n';
      }
    }
  }
  if (groups.length > 1) text += `export type ${kind} = ${groups.map(typeName).join(' | ')};\n\n`;

  const storage = served.find((v) => v.storage) ?? served[0]!;
  text += `/** How ${kind} is served: its group, versions (the storage version first) and scope. */\n`;
  text += `export const ${lowerFirst(kind)}Definition: KindDefinition<${kind}> = {\n`;
  text += `  group: ${JSON.stringify(group)},\n  kind: ${JSON.stringify(kind)},\n  plural: ${JSON.stringify(names.plural)},\n`;
  text += `  namespaced: ${scope === 'Namespaced'},\n  storageVersion: ${JSON.stringify(storage.name)},\n`;
  for (const [field, suffix] of [
    ['versions', ''],
    ['lenientVersions', 'Lenient'],
  ] as const) {
    text += `  ${field}: {\n${served.map((v) => `    ${JSON.stringify(v.name)}: ${lowerFirst(kind)}${upperFirst(v.name)}${suffix}Schema,\n`).join('')}  },\n`;
  }
  text += `  deprecatedVersions: ${JSON.stringify(served.filter((v) => v.deprecated).map((v) => v.name))},\n};\n`;
  return { fileName: `${lowerFirst(kind)}.ts`, text, kind };
}
