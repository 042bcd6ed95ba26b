// Certificate revocation lists for ClientTrafficPolicy `tls.clientValidation.crl` (RFC 5280
// section 5.1): Envoy Gateway refuses a CRL that does not parse or whose nextUpdate has passed
// (an expired CRL would make Envoy reject every client). Node's crypto reads certificates but not
// CRLs, so this walks the DER just far enough to reach the update times.

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** One DER TLV at `offset`, or undefined when it does not fit. */
function readTlv(der: Uint8Array, offset: number): Tlv | undefined {
  if (offset + 2 > der.length) return undefined;
  const tag = der[offset] as number;
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > der.length) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + (der[start + i] as number);
    start += bytes;
  }
  const end = start + length;
  return end > der.length ? undefined : { tag, start, end };
}

const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

function readTime(der: Uint8Array, tlv: Tlv): Date | undefined {
  const text = Buffer.from(der.subarray(tlv.start, tlv.end)).toString('ascii');
  const m =
    tlv.tag === UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  let year = Number(m[1]);
  // RFC 5280 4.1.2.5.1: UTCTime years 50-99 are 19xx, 00-49 are 20xx.
  if (tlv.tag === UTC_TIME) year += year >= 50 ? 1900 : 2000;
  return new Date(
    Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])),
  );
}

/** thisUpdate and nextUpdate of one DER CRL, or undefined when it is not a CRL. */
export function crlTimes(der: Uint8Array): { thisUpdate: Date; nextUpdate?: Date } | undefined {
  const list = readTlv(der, 0);
  if (list?.tag !== 0x30) return undefined;
  const tbs = readTlv(der, list.start);
  if (tbs?.tag !== 0x30) return undefined;
  let field = readTlv(der, tbs.start);
  if (field?.tag === 0x02) field = readTlv(der, field.end); // version
  if (field?.tag !== 0x30) return undefined; // signature AlgorithmIdentifier
  const issuer = readTlv(der, field.end);
  if (issuer?.tag !== 0x30) return undefined;
  const thisTlv = readTlv(der, issuer.end);
  if (!thisTlv || (thisTlv.tag !== UTC_TIME && thisTlv.tag !== GENERALIZED_TIME)) return undefined;
  const thisUpdate = readTime(der, thisTlv);
  if (!thisUpdate) return undefined;
  const nextTlv = thisTlv.end < tbs.end ? readTlv(der, thisTlv.end) : undefined;
  if (nextTlv && (nextTlv.tag === UTC_TIME || nextTlv.tag === GENERALIZED_TIME)) {
    const nextUpdate = readTime(der, nextTlv);
    if (!nextUpdate) return undefined;
    return { thisUpdate, nextUpdate };
  }
  return { thisUpdate };
}

/** Why a PEM bundle of CRLs cannot be used at `now`, or undefined. */
export function crlProblem(pem: string, now: Date): string | undefined {
  const blocks = [...pem.matchAll(/-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/g)].map(
    (m) => m[1] ?? '',
  );
  if (blocks.length === 0) return 'holds no PEM X509 CRL';
  for (const body of blocks) {
    const times = crlTimes(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
    if (!times) return 'holds a CRL that does not parse';
    if (times.nextUpdate && times.nextUpdate < now) return 'holds an expired CRL';
  }
  return undefined;
}
