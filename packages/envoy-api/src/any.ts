// google.protobuf.Any packing and unpacking through the generated type registry
// (https://protobuf.dev/programming-guides/proto3/#any).
import './generated/all.js';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
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

/** A writer whose buffer grew past this is dropped after use, not kept for the process's life. */
const KEEP_WRITER_BYTES = 64 * 1024;

// One writer for every packAny and encodeMessage: a translation packs thousands of configs into
// Anys, and a new writer per message allocates a buffer, grows it by doubling and copies the
// bytes out twice. It holds no result between calls (finish() copies the bytes out and resets it).
let writer = new BinaryWriter();

/**
 * `codec.encode(message).finish()`, through the shared writer: the bytes are the message's own
 * (a copy nothing else holds).
 */
export const encodeMessage = <T>(codec: MessageCodec<T>, message: T): Uint8Array => {
  let bytes: Uint8Array;
  try {
    bytes = codec.encode(message, writer).finish();
  } catch (error) {
    // A message that fails to encode leaves the writer mid-message: start afresh.
    writer = new BinaryWriter();
    throw error;
  }
  if (bytes.length > KEEP_WRITER_BYTES) writer = new BinaryWriter();
  return bytes;
};

/** Packs `message` into an Any whose type URL comes from its codec. */
export const packAny = <T>(codec: MessageCodec<T>, message: T): Any => ({
  typeUrl: typeUrlOf(codec),
  value: Buffer.from(encodeMessage(codec, message)),
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
