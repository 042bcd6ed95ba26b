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
import type { XdsResources } from './xdsResources.js';

export type XdsResourceType = 'listener' | 'route' | 'cluster' | 'endpoint' | 'secret';

export const XDS_RESOURCE_TYPES: readonly XdsResourceType[] = [
  'listener',
  'route',
  'cluster',
  'endpoint',
  'secret',
];

const tagged = <T>(codec: MessageCodec<T>, messages: readonly T[]): unknown[] =>
  messages.map((message) => ({
    '@type': typeUrlOf(codec),
    ...(toEnvoyJson(codec, message) as object),
  }));

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

/** A bootstrap as proto3 JSON. */
export const bootstrapToJson = (bootstrap: Bootstrap): unknown => toEnvoyJson(Bootstrap, bootstrap);

/** Proto3 JSON as YAML (block style, no line folding) or pretty JSON, newline-terminated. */
export const formatEnvoyJson = (value: unknown, format: 'yaml' | 'json'): string =>
  format === 'json'
    ? `${JSON.stringify(value, null, 2)}\n`
    : // YAML 1.1 quoting: Envoy's parser (yaml-cpp) reads unquoted yes/no/on/off as booleans.
      stringifyYaml(value, { version: '1.1', aliasDuplicateObjects: false });
