// CRLs of ClientTrafficPolicy tls.clientValidation.crl (RFC 5280 section 5.1): thisUpdate and
// nextUpdate are read from the DER; a CRL past its nextUpdate is expired and Envoy Gateway refuses
// the policy (Accepted=False/Invalid). The CRL below was made with `openssl ca -gencrl -crldays 30`
// for a throwaway EC test CA: thisUpdate 2026-12-05T08:17:40Z, nextUpdate 2027-01-04T08:17:40Z.
import { describe, expect, it } from 'vitest';
import { crlProblem, crlTimes } from '../internal/policies/validation/crl.js';

const CRL = `-----BEGIN X509 CRL-----
MIGvMFYCAQEwCgYIKoZIzj0EAwIwFzEVMBMGA1UEAwwMZWd0cy10ZXN0LWNhFw0y
NjEyMDUwODE3NDBaFw0yNzAxMDQwODE3NDBaoA4wDDAKBgNVHRQEAwIBATAKBggq
hkjOPQQDAgNJADBGAiEA75uQDdLezhgfwVDawWAHHlL5Fa62P90PeVENG0eMhMcC
IQCbZxmk6NfGaeCEO/SzRv+e/cP3OtMIbC0iQxJHT++vxg==
-----END X509 CRL-----
`;

describe('CRLs', () => {
  it('reads thisUpdate and nextUpdate', () => {
    const body = CRL.split('\n').slice(1, -2).join('');
    expect(crlTimes(Buffer.from(body, 'base64'))).toEqual({
      thisUpdate: new Date('2026-12-05T08:17:40Z'),
      nextUpdate: new Date('2027-01-04T08:17:40Z'),
    });
  });

  it('is usable before its nextUpdate, expired after', () => {
    expect(crlProblem(CRL, new Date('2026-12-20T00:00:00Z'))).toBeUndefined();
    expect(crlProblem(CRL, new Date('2027-02-01T00:00:00Z'))).toBe('holds an expired CRL');
  });

  it('refuses what is not a PEM CRL', () => {
    expect(crlProblem('not a crl', new Date())).toBe('holds no PEM X509 CRL');
    expect(crlProblem('-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----', new Date())).toBe(
      'holds a CRL that does not parse',
    );
  });
});
