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

/**
 * `geoIP.provider` (type MaxMind): the local paths of the MaxMind databases Envoy's geoip filter
 * looks client addresses up in, one per kind of data.
 */
export const GeoIPProviderSchema = z.object({
  maxMind: z.object({
    countryDbPath: z.string().optional(),
    cityDbPath: z.string().optional(),
    asnDbPath: z.string().optional(),
    ispDbPath: z.string().optional(),
    anonymousIpDbPath: z.string().optional(),
  }),
});
export type GeoIPProvider = z.infer<typeof GeoIPProviderSchema>;
