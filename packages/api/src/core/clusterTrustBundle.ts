// Kubernetes ClusterTrustBundle (certificates.k8s.io, cluster-scoped): a PEM bundle of trust
// anchors, which ClientTrafficPolicy client validation and BackendTLSPolicy can name as a CA
// source (https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#cluster-trust-bundles).
import { z } from 'zod';
import type { KindDefinition } from '../kindDefinition.js';
import { type ObjectMeta, objectMetaSchema } from '../objectMeta.js';

export interface ClusterTrustBundle {
  apiVersion: 'certificates.k8s.io/v1beta1' | 'certificates.k8s.io/v1alpha1';
  kind: 'ClusterTrustBundle';
  metadata: ObjectMeta;
  spec: {
    /** The signer whose trust anchors these are; absent for a signer-unlinked bundle. */
    signerName?: string | undefined;
    /** PEM certificates (CERTIFICATE blocks only). */
    trustBundle: string;
  };
}

const schema = (version: 'v1beta1' | 'v1alpha1'): z.ZodType<ClusterTrustBundle> =>
  z.strictObject({
    apiVersion: z.literal(`certificates.k8s.io/${version}`),
    kind: z.literal('ClusterTrustBundle'),
    metadata: objectMetaSchema,
    spec: z.strictObject({
      signerName: z.string().optional(),
      trustBundle: z.string(),
    }),
  }) as z.ZodType<ClusterTrustBundle>;

export const clusterTrustBundleDefinition: KindDefinition<ClusterTrustBundle> = {
  group: 'certificates.k8s.io',
  kind: 'ClusterTrustBundle',
  plural: 'clustertrustbundles',
  namespaced: false,
  storageVersion: 'v1beta1',
  versions: { v1beta1: schema('v1beta1'), v1alpha1: schema('v1alpha1') },
  lenientVersions: { v1beta1: schema('v1beta1'), v1alpha1: schema('v1alpha1') },
  deprecatedVersions: ['v1alpha1'],
};
