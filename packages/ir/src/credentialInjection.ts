// A credential Envoy's credential injector adds to requests (an HTTPRouteFilter's
// `credentialInjection`), on a route or on one backend of it (a backendRef filter).
import { z } from 'zod';

/**
 * A credential injected into requests (an HTTPRouteFilter's `credentialInjection`, Envoy's
 * credential injector): the Secret's `credential` value as a header to the backend.
 */
export const CredentialInjectionSchema = z.object({
  /** Unique per proxy: `<namespace>/<filter>`; names the filter instance and its secret. */
  name: z.string(),
  /** The header carrying it (default Authorization). */
  header: z.string(),
  /** Replace a value the client sent (default false: keep the client's). */
  overwrite: z.boolean(),
  /** The credential, as the Secret holds it. */
  credential: z.string(),
});
export type CredentialInjection = z.infer<typeof CredentialInjectionSchema>;
