// The output of the xDS translator: one list per xDS resource type, each sorted by name.
import type {
  Cluster,
  ClusterLoadAssignment,
  Listener,
  RouteConfiguration,
  Secret,
} from '@egts/envoy-api';
import type { EnvoyPatchPolicyOutcome } from '@egts/ir';

/** Envoy resources for one proxy fleet, as typed messages of @egts/envoy-api. */
export interface XdsResources {
  /** LDS: one Listener per IR listener (`<namespace>/<gateway>/<listener>`). */
  readonly listeners: Listener[];
  /** RDS: one RouteConfiguration per HTTP listener, named like it. */
  readonly routes: RouteConfiguration[];
  /** CDS: one Cluster per route destination (or per backend when traffic is split by weight). */
  readonly clusters: Cluster[];
  /** EDS: the ClusterLoadAssignment of every cluster whose endpoints are IP addresses. */
  readonly endpoints: ClusterLoadAssignment[];
  /** SDS: listener certificates and upstream CA bundles. */
  readonly secrets: Secret[];
  /**
   * What became of each of the IR's EnvoyPatchPolicies (absent without any): programmed, or not
   * with the reason; a policy that is not programmed changed no resource.
   */
  readonly envoyPatchPolicies?: readonly EnvoyPatchPolicyOutcome[];
}

/**
 * `ads` (default): what the xDS server serves; routes, endpoints and secrets are referenced over
 * ADS (RDS, EDS, SDS). `static`: self-contained resources for a bootstrap's static_resources:
 * route configurations inlined in their listeners, endpoints inlined in STATIC clusters, secrets
 * referenced by name only (https://www.envoyproxy.io/docs/envoy/latest/configuration/overview/examples).
 */
export type XdsMode = 'ads' | 'static';

export interface TranslateXdsOptions {
  readonly mode?: XdsMode;
}
