// CustomResourceDefinitions for Envoy Gateway's kinds, generated from @egts/api's zod schemas, so the
// API server validates exactly what egts reads. zod's JSON Schema is turned into a structural schema
// (Kubernetes "Specifying a structural schema"): every node typed, no additionalProperties beside
// properties, int-or-string and free-form fields marked with the x-kubernetes extensions.
import { type KindDefinition, resourceKinds } from '@egts/api';
import { z } from 'zod';

export const ENVOY_GATEWAY_GROUP = 'gateway.envoyproxy.io';

type Schema = Record<string, unknown>;

const SAFE_INT = 9007199254740991;

const isIntOrString = (branches: Schema[]): boolean => {
  const types = new Set(branches.map((b) => b.type));
  return types.size === 2 && types.has('string') && (types.has('integer') || types.has('number'));
};

/** One JSON Schema node -> a structural OpenAPI v3 node. */
export const structural = (node: Schema): Schema => {
  const description = typeof node.description === 'string' ? { description: node.description } : {};
  const branches = (node.anyOf ?? node.oneOf) as Schema[] | undefined;
  if (branches) {
    if (isIntOrString(branches)) return { ...description, 'x-kubernetes-int-or-string': true };
    const types = new Set(branches.map((b) => b.type));
    const only = [...types][0];
    if (types.size === 1 && typeof only === 'string') {
      // Literal unions: one type, the union of their enums.
      const values = branches.flatMap((b) => (Array.isArray(b.enum) ? b.enum : []));
      if (only === 'object')
        return { ...description, type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      return {
        ...description,
        type: only,
        ...(values.length > 0 ? { enum: [...new Set(values)] } : {}),
      };
    }
    return { ...description, 'x-kubernetes-preserve-unknown-fields': true };
  }
  if (node.type === undefined) {
    // z.unknown(): any value.
    return { ...description, 'x-kubernetes-preserve-unknown-fields': true };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, structural(v)]),
      );
    } else if (key === 'items') {
      out.items = structural(value as Schema);
    } else if (key === 'additionalProperties') {
      if (value === false) continue; // Unknown fields are pruned anyway; `false` is not allowed.
      if (node.properties) {
        // A loose object: known fields typed, others kept.
        if (typeof value === 'object' && value && Object.keys(value).length === 0) {
          out['x-kubernetes-preserve-unknown-fields'] = true;
        }
        continue;
      }
      if (typeof value === 'object' && value && Object.keys(value).length === 0) {
        out['x-kubernetes-preserve-unknown-fields'] = true;
      } else {
        out.additionalProperties = structural(value as Schema);
      }
    } else if (
      (key === 'minimum' && value === -SAFE_INT) ||
      (key === 'maximum' && value === SAFE_INT)
    ) {
      // zod's bounds of a safe integer, not a rule of the API.
    } else if (key === 'format' && typeof value !== 'string') {
      // Not a format: never happens at a schema node, only as a property name (handled above).
    } else {
      out[key] = value;
    }
  }
  return out;
};

/** The openAPIV3Schema of one version: apiVersion/kind/metadata as every CRD has them. */
const versionSchema = (schema: z.ZodType): Schema => {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
  }) as Schema;
  const converted = structural(json);
  const properties = { ...(converted.properties as Record<string, Schema>) };
  properties.apiVersion = { type: 'string' };
  properties.kind = { type: 'string' };
  // ObjectMeta is the API server's: a CRD may only say it is an object.
  properties.metadata = { type: 'object' };
  const required = ((converted.required as string[] | undefined) ?? []).filter(
    (r) => !['apiVersion', 'kind', 'metadata'].includes(r),
  );
  return {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
};

const crdFor = (definition: KindDefinition): Schema => {
  const singular = definition.kind.toLowerCase();
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${definition.plural}.${definition.group}`,
      labels: { 'app.kubernetes.io/part-of': 'egts' },
      annotations: { 'egts.io/generated-from': '@egts/api' },
    },
    spec: {
      group: definition.group,
      names: {
        kind: definition.kind,
        listKind: `${definition.kind}List`,
        plural: definition.plural,
        singular,
        categories: ['envoy-gateway'],
      },
      scope: definition.namespaced ? 'Namespaced' : 'Cluster',
      versions: Object.entries(definition.versions).map(([name, schema]) => ({
        name,
        served: true,
        storage: name === definition.storageVersion,
        ...(definition.deprecatedVersions.includes(name) ? { deprecated: true } : {}),
        schema: { openAPIV3Schema: versionSchema(schema as z.ZodType) },
        subresources: { status: {} },
      })),
    },
  };
};

/** A CRD for each Envoy Gateway kind @egts/api defines, sorted by name. */
export const envoyGatewayCrds = (): Schema[] =>
  resourceKinds
    .filter(({ definition }) => definition.group === ENVOY_GATEWAY_GROUP)
    .map(({ definition }) => crdFor(definition as KindDefinition))
    .sort((a, b) =>
      String((a.metadata as Schema).name).localeCompare(String((b.metadata as Schema).name)),
    );
