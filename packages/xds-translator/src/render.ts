// Envoy resources as text: proto3 JSON (what `envoy -c` and config dumps use, every Any as
// `{"@type": ...}`), as JSON or YAML.
import { stringifyYaml } from '@egts/api/yaml';
import {
  Bootstrap,
  Cluster,
  ClusterLoadAssignment,
  Listener,
  type MessageCodec,
  RouteConfiguration,
  Secret,
  toEnvoyJson,
  typeUrlOf,
} from '@egts/envoy-api';
import { jsonChunks, StreamedArray, StreamedObject, yamlChunks } from './streamedText.js';
import type { XdsResources } from './xdsResources.js';

export type XdsResourceType = 'listener' | 'route' | 'cluster' | 'endpoint' | 'secret';

export const XDS_RESOURCE_TYPES: readonly XdsResourceType[] = [
  'listener',
  'route',
  'cluster',
  'endpoint',
  'secret',
];

const taggedOne = <T>(codec: MessageCodec<T>, message: T): unknown => ({
  '@type': typeUrlOf(codec),
  ...(toEnvoyJson(codec, message) as object),
});

const tagged = <T>(codec: MessageCodec<T>, messages: readonly T[]): unknown[] =>
  messages.map((message) => taggedOne(codec, message));

/** One slice of the resources, each made into tagged proto3 JSON only when it is written. */
const streamedSlice = <T>(codec: MessageCodec<T>, messages: readonly T[]) =>
  new StreamedArray(messages.length, (i) => taggedOne(codec, messages[i]!));

/** One slice of the resources as proto3 JSON, each tagged with its `@type` like a config dump. */
export const xdsResourcesToJson = (resources: XdsResources, type: XdsResourceType): unknown[] => {
  switch (type) {
    case 'listener':
      return tagged(Listener, resources.listeners);
    case 'route':
      return tagged(RouteConfiguration, resources.routes);
    case 'cluster':
      return tagged(Cluster, resources.clusters);
    case 'endpoint':
      return tagged(ClusterLoadAssignment, resources.endpoints);
    case 'secret':
      return tagged(Secret, resources.secrets);
  }
};

/** What `xdsResourcesToJson` gives, each resource made when it is written (`envoyTextChunks`). */
export const streamedXdsResources = (
  resources: XdsResources,
  type: XdsResourceType,
): StreamedArray => {
  switch (type) {
    case 'listener':
      return streamedSlice(Listener, resources.listeners);
    case 'route':
      return streamedSlice(RouteConfiguration, resources.routes);
    case 'cluster':
      return streamedSlice(Cluster, resources.clusters);
    case 'endpoint':
      return streamedSlice(ClusterLoadAssignment, resources.endpoints);
    case 'secret':
      return streamedSlice(Secret, resources.secrets);
  }
};

/**
 * What `bootstrapToJson` gives, its static resources (listeners, clusters, secrets) each made into
 * proto3 JSON only when it is written: the rest of the bootstrap is converted as it is.
 */
export const streamedBootstrap = (bootstrap: Bootstrap): StreamedObject => {
  const resources = bootstrap.staticResources;
  const shell = toEnvoyJson(Bootstrap, {
    ...bootstrap,
    staticResources: resources && { listeners: [], clusters: [], secrets: [] },
  }) as Record<string, unknown>;
  // proto3 JSON leaves an empty list out; the fields in the order of StaticResources.
  const lists: [string, StreamedArray][] = [];
  if (resources !== undefined) {
    const { listeners, clusters, secrets } = resources;
    const slices = [
      [
        'listeners',
        new StreamedArray(listeners.length, (i) => toEnvoyJson(Listener, listeners[i]!)),
      ],
      ['clusters', new StreamedArray(clusters.length, (i) => toEnvoyJson(Cluster, clusters[i]!))],
      ['secrets', new StreamedArray(secrets.length, (i) => toEnvoyJson(Secret, secrets[i]!))],
    ] as const;
    for (const [name, slice] of slices) if (slice.length > 0) lists.push([name, slice]);
  }
  return new StreamedObject(
    Object.entries(shell).map(([key, value]) =>
      key === 'staticResources' && lists.length > 0
        ? [key, new StreamedObject(lists)]
        : [key, value],
    ),
  );
};

/** `formatEnvoyJson` in pieces, for a value with streamed parts: one resource at a time. */
export const envoyTextChunks = (value: unknown, format: 'yaml' | 'json'): Generator<string> =>
  format === 'json' ? jsonChunks(value) : yamlChunks(value, { version: '1.1' });

/** A bootstrap as proto3 JSON. */
export const bootstrapToJson = (bootstrap: Bootstrap): unknown => toEnvoyJson(Bootstrap, bootstrap);

/** Proto3 JSON as YAML (block style, no line folding) or pretty JSON, newline-terminated. */
export const formatEnvoyJson = (value: unknown, format: 'yaml' | 'json'): string =>
  format === 'json'
    ? `${JSON.stringify(value, null, 2)}\n`
    : // YAML 1.1 quoting: Envoy's parser (yaml-cpp) reads unquoted yes/no/on/off as booleans.
      stringifyYaml(value, { version: '1.1', aliasDuplicateObjects: false });
