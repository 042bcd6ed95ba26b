// The protobuf wire format's varints and length-delimited field headers, for the encodings egts
// assembles itself from cached parts (routeConfigurationBytes.ts, responseBytes.ts).
// https://protobuf.dev/programming-guides/encoding/#varints

/** Bytes of `value` (a length or a one-byte tag's field; below 2^32) as a varint. */
export const varintSize = (value: number): number => {
  let size = 1;
  for (let rest = value; rest > 0x7f; rest >>>= 7) size++;
  return size;
};

/** Writes `value` as a varint into `target` at `pos`; returns the position after it. */
export const writeVarint = (target: Uint8Array, pos: number, value: number): number => {
  let at = pos;
  let rest = value;
  while (rest > 0x7f) {
    target[at++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  target[at++] = rest;
  return at;
};

/** A length-delimited field's header: its one-byte tag, then `length` as a varint. */
export const fieldHeader = (tag: number, length: number): Uint8Array => {
  const header = new Uint8Array(1 + varintSize(length));
  header[0] = tag;
  writeVarint(header, 1, length);
  return header;
};
