// Protobuf wire format for the few OAuth2 fields the generated codec lacks (see oauth2.ts):
// each returns one encoded field (https://protobuf.dev/programming-guides/encoding/).

const varint = (value: number): Buffer => {
  const bytes: number[] = [];
  let n = value;
  while (n > 0x7f) {
    bytes.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  bytes.push(n);
  return Buffer.from(bytes);
};

const tag = (field: number, wireType: 0 | 2): Buffer => varint(field * 8 + wireType);

/** A varint field (int32/int64/enum) with a non-negative value. */
export const varintField = (field: number, value: number): Buffer =>
  Buffer.concat([tag(field, 0), varint(value)]);

export const boolField = (field: number, value: boolean): Buffer =>
  varintField(field, value ? 1 : 0);

export const stringField = (field: number, value: string): Buffer => {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([tag(field, 2), varint(bytes.length), bytes]);
};

/** An embedded message made of already encoded fields. */
export const messageField = (field: number, fields: readonly Uint8Array[]): Buffer => {
  const body = Buffer.concat(fields);
  return Buffer.concat([tag(field, 2), varint(body.length), body]);
};
