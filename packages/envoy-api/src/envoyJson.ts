// Proto3 JSON of Envoy messages, as `envoy -c` and `--config-yaml` read it
// (https://protobuf.dev/programming-guides/json/, https://www.envoyproxy.io/docs/envoy/latest/configuration/overview/bootstrap).
import './generated/all.js';
import type { MessageCodec } from './any.js';

/**
 * Proto3 JSON of a message: lowerCamelCase field names, defaults omitted, enums by name,
 * Durations as `"1.5s"`, wrappers and Struct unwrapped, and every Any expanded to
 * `{"@type": "type.googleapis.com/...", ...fields}` through the type registry.
 */
export const toEnvoyJson = <T>(codec: MessageCodec<T>, message: T): unknown =>
  codec.toJSON(message);

/** The inverse: parses proto3 JSON (or YAML parsed to a value) into a message; Any by `@type`. */
export const fromEnvoyJson = <T>(codec: MessageCodec<T>, json: unknown): T => codec.fromJSON(json);
