// google.protobuf.Any packing and unpacking through the generated type registry
// (https://protobuf.dev/programming-guides/proto3/#any).
import './generated/all.js';
import type { BinaryWriter } from '@bufbuild/protobuf/wire';
import type { Any } from './generated/google/protobuf/any.js';
import { messageTypeRegistry } from './generated/typeRegistry.js';

/** A generated message codec (`Listener`, `Cluster`, ...): what packing and JSON need of it. */
export interface MessageCodec<T> {
  /** Fully-qualified protobuf name, e.g. `envoy.config.listener.v3.Listener`. */
  readonly $type: string;
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: Uint8Array): T;
  fromJSON(object: unknown): T;
  toJSON(message: T): unknown;
}

/** The prefix Envoy and every protobuf runtime use for type URLs. */
export const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** `type.googleapis.com/<full name>` of a codec's message, as xDS `type_url`s are written. */
export const typeUrlOf = (codec: Pick<MessageCodec<unknown>, '$type'>): string =>
  `${TYPE_URL_PREFIX}${codec.$type}`;

/** The message name a type URL names (the part after the last `/`). */
export const typeNameOf = (typeUrl: string): string => typeUrl.slice(typeUrl.lastIndexOf('/') + 1);

/** Packs `message` into an Any whose type URL comes from its codec. */
export const packAny = <T>(codec: MessageCodec<T>, message: T): Any => ({
  typeUrl: typeUrlOf(codec),
  value: Buffer.from(codec.encode(message).finish()),
});

/** An Any decoded through the registry. */
export interface UnpackedAny {
  /** Fully-qualified message name. */
  readonly typeName: string;
  readonly message: unknown;
  readonly codec: MessageCodec<unknown>;
}

/** Decodes an Any of any generated message type; throws when the type is not generated here. */
export const unpackAny = (any: Any): UnpackedAny => {
  const typeName = typeNameOf(any.typeUrl);
  const codec = messageTypeRegistry.get(typeName);
  if (codec === undefined) {
    throw new Error(
      `unpackAny: ${any.typeUrl} is not a generated type (add its proto to proto/envoy-api.txt)`,
    );
  }
  return { typeName, message: codec.decode(any.value), codec };
};

/** Decodes an Any that must hold `codec`'s message type; throws on any other type. */
export const unpackAnyAs = <T>(codec: MessageCodec<T>, any: Any): T => {
  const typeName = typeNameOf(any.typeUrl);
  if (typeName !== codec.$type) {
    throw new Error(`unpackAnyAs: expected ${codec.$type}, got ${any.typeUrl}`);
  }
  return codec.decode(any.value);
};

/** The codec registered for a fully-qualified message name, if it is generated. */
export const codecFor = (typeName: string): MessageCodec<unknown> | undefined =>
  messageTypeRegistry.get(typeName);
