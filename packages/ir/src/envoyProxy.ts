// What an EnvoyProxy changes in its fleet's xDS (beyond access logs): the IP family listeners
// bind and the order of the HTTP filters.
import { z } from 'zod';

/** `ipFamily`: IPv4 binds 0.0.0.0; IPv6 binds `::` only; DualStack binds `::` taking IPv4 too. */
export const IpFamilySchema = z.enum(['IPv4', 'IPv6', 'DualStack']);
export type IpFamily = z.infer<typeof IpFamilySchema>;

/**
 * `filterOrder`: each HTTP filter named (an Envoy filter name such as
 * `envoy.filters.http.jwt_authn`; all its instances) moves right before or after another, in
 * list order.
 */
export const FilterOrderSchema = z.array(
  z.object({ name: z.string(), before: z.string().optional(), after: z.string().optional() }),
);
export type FilterOrder = z.infer<typeof FilterOrderSchema>;
