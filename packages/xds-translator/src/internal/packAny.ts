// packAny() through one reused protobuf writer. A translation packs thousands of configs into
// Anys (per-route filter configs, protocol options, filters); @egts/envoy-api's packAny starts a
// new writer for each, which allocates a buffer, grows it by doubling and copies the bytes out
// twice. Here the writer keeps its buffer between calls; the bytes are copied out once, into
// Node's pooled Buffer memory as before, so the output is the same bytes in the same kind of value.
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { type Any, type MessageCodec, typeUrlOf } from '@egts/envoy-api';

/** A writer whose buffer grew past this is dropped after use, not kept for the process's life. */
const KEEP_BYTES = 64 * 1024;

let writer = new BinaryWriter();

/** Packs `message` into an Any whose type URL comes from its codec. */
export const packAny = <T>(codec: MessageCodec<T>, message: T): Any => {
  let bytes: Uint8Array;
  try {
    // finish() copies the written bytes out and resets the writer for the next call.
    bytes = codec.encode(message, writer).finish();
  } catch (error) {
    // A message that fails to encode leaves the writer mid-message: start afresh.
    writer = new BinaryWriter();
    throw error;
  }
  if (bytes.length > KEEP_BYTES) writer = new BinaryWriter();
  return { typeUrl: typeUrlOf(codec), value: Buffer.from(bytes) };
};
