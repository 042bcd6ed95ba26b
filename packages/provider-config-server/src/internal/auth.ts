// Who may do what on the config server: a bearer token (compared in constant time) and/or a
// verified client certificate; callers without them get only what `anonymous` allows.
import { createHash, timingSafeEqual } from 'node:crypto';

export type Access = 'read' | 'write';
export type AnonymousAccess = 'none' | 'read' | 'write';

export interface AuthPolicy {
  /** Bearer token every request must carry, when set. */
  readonly token?: string | undefined;
  /** Whether a verified client certificate is required (mTLS); the TLS handshake enforces it. */
  readonly clientCertificates: boolean;
  readonly anonymous: AnonymousAccess;
}

export type AuthDecision = { ok: true } | { ok: false; message: string };

// Hashing both sides first gives equal-length inputs, so timingSafeEqual's time does not depend
// on where (or whether, by length) the presented token differs from the real one.
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header value, if that is what it is. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Decides one request. Authenticated = every configured mechanism passed (and at least one is
 * configured); anyone else is anonymous and gets `policy.anonymous` at most.
 */
export function authorize(
  policy: AuthPolicy,
  presented: { token: string | undefined; clientCertificateVerified: boolean },
  access: Access,
): AuthDecision {
  const configured = policy.token !== undefined || policy.clientCertificates;
  const tokenOk =
    policy.token === undefined ||
    (presented.token !== undefined && tokenMatches(presented.token, policy.token));
  const certOk = !policy.clientCertificates || presented.clientCertificateVerified;
  if (configured && tokenOk && certOk) return { ok: true };
  const allowed =
    policy.anonymous === 'write' || (policy.anonymous === 'read' && access === 'read');
  if (allowed) return { ok: true };
  if (presented.token !== undefined && !tokenOk) return { ok: false, message: 'invalid token' };
  return {
    ok: false,
    message:
      access === 'write'
        ? 'anonymous writes are not allowed: authenticate with a bearer token or a client certificate'
        : 'anonymous reads are not allowed: authenticate with a bearer token or a client certificate',
  };
}
