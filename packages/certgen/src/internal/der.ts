// The few DER encodings an X.509 certificate is made of (ITU-T X.690 section 8, with the DER
// restrictions of section 10), and a reader that splits an element into its children: enough to
// write a certificate and to copy its issuer's name, without an ASN.1 library.

/** An element: tag, definite length (X.690 8.1.3: short form below 128, long form above), contents. */
export const tlv = (tag: number, ...contents: Uint8Array[]): Buffer => {
  const body = Buffer.concat(contents);
  const length: number[] = [];
  for (let n = body.length; n > 0; n = Math.floor(n / 256)) length.unshift(n % 256);
  const header = body.length < 0x80 ? [body.length] : [0x80 | length.length, ...length];
  return Buffer.concat([Buffer.from([tag, ...header]), body]);
};

export const sequence = (...items: Uint8Array[]): Buffer => tlv(0x30, ...items);
export const set = (...items: Uint8Array[]): Buffer => tlv(0x31, ...items);

/** X.690 11.1: TRUE is 0xff in DER. */
export const boolean = (value: boolean): Buffer => tlv(0x01, Buffer.from([value ? 0xff : 0]));

/**
 * A non-negative INTEGER from its big-endian bytes: two's complement (X.690 8.3), so a leading
 * byte with the high bit set gets a zero byte before it.
 */
export const unsignedInteger = (bytes: Uint8Array): Buffer =>
  tlv(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);

/** X.690 8.6: the first byte counts the unused bits of the last one. */
export const bitString = (bytes: Uint8Array, unusedBits = 0): Buffer =>
  tlv(0x03, Buffer.from([unusedBits]), bytes);

export const octetString = (bytes: Uint8Array): Buffer => tlv(0x04, bytes);
export const nullValue = (): Buffer => tlv(0x05);

/** X.690 8.19: the first two arcs as 40 * a + b, each arc in base 128, high bit on all but its last byte. */
export const objectIdentifier = (dotted: string): Buffer => {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes: number[] = [];
  for (const arc of [40 * first + second, ...rest]) {
    const digits = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128))
      digits.unshift(0x80 | (n % 128));
    bytes.push(...digits);
  }
  return tlv(0x06, Buffer.from(bytes));
};

export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds in UTC. */
export const time = (date: Date): Buffer => {
  const digits = date.toISOString().replace(/[-:T]|\.\d+Z$/g, '');
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
    : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
};

/** `[n] EXPLICIT`: a constructed context-specific element around the encoding (X.690 8.14). */
export const explicit = (n: number, ...items: Uint8Array[]): Buffer => tlv(0xa0 | n, ...items);

/** `[n] IMPLICIT` of a primitive type: the contents under a context-specific tag (X.690 8.14). */
export const implicit = (n: number, contents: Uint8Array): Buffer => tlv(0x80 | n, contents);

/** Where the contents of the element at `at` start and end. */
const span = (der: Buffer, at: number): { start: number; end: number } => {
  let length = der[at + 1] ?? 0;
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start++] ?? 0);
  }
  return { start, end: start + length };
};

/** The contents of the element `der` starts with. */
export const contents = (der: Buffer): Buffer => {
  const { start, end } = span(der, 0);
  return der.subarray(start, end);
};

/** The elements (each whole: tag, length and contents) inside the constructed element `der`. */
export const children = (der: Buffer): Buffer[] => {
  const { start, end } = span(der, 0);
  const found: Buffer[] = [];
  for (let at = start; at < end; ) {
    const next = span(der, at).end;
    found.push(der.subarray(at, next));
    at = next;
  }
  return found;
};
