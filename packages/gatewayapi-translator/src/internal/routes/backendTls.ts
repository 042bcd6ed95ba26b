// BackendTLSPolicy (GEP-1897): find the policy that applies to a backend (same namespace, matching
// targetRef, a sectionName naming the port beats none, then oldest), validate its CA references,
// and record the route's parents as the policy's ancestors.
import type { BackendTLSPolicy } from '@egts/api';
import type { UpstreamTLS } from '@egts/ir';
import { readCABundle } from '../caCertificates.js';
import type { RouteContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { compareByAgeThenName } from '../ordering.js';
import { Conditions } from '../status/conditions.js';
import { type RouteStatusError, unresolvedRef } from '../status/statusError.js';
import type { ParentRef } from '../types.js';

type TargetRef = BackendTLSPolicy['spec']['targetRefs'][number];

export interface BackendTarget {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  /** The Service port name, matched against targetRef.sectionName. */
  sectionName: string | undefined;
}

/** A BackendTLSPolicy while translating: validity, conflicts and ancestors. */
export class BackendTLSPolicyContext {
  /** Problem with the policy itself: [ResolvedRefs reason, message]. */
  problem: [string, string] | undefined;
  settings: UpstreamTLS | undefined;
  /** Targets (kind/name/section) this policy lost to an older policy. */
  readonly conflicted = new Set<string>();
  readonly ancestors = new Map<
    string,
    { ref: ParentRef & { namespace: string }; conflicted: boolean }
  >();

  constructor(readonly resource: BackendTLSPolicy) {}

  get namespace(): string {
    return this.resource.metadata.namespace ?? 'default';
  }

  addAncestor(ref: ParentRef & { namespace: string }, conflicted: boolean): void {
    const key = `${ref.group ?? ''}/${ref.kind ?? ''}/${ref.namespace}/${ref.name}/${ref.sectionName ?? ''}/${ref.port ?? ''}`;
    const existing = this.ancestors.get(key);
    this.ancestors.set(key, { ref, conflicted: conflicted && (existing?.conflicted ?? true) });
  }

  /** Conditions for one ancestor. */
  conditionsFor(conflicted: boolean, generation: number | undefined): Conditions {
    const c = new Conditions(generation);
    if (conflicted) {
      c.set(
        'Accepted',
        'False',
        'Conflicted',
        'An older BackendTLSPolicy targets the same backend.',
      );
    } else if (this.problem) {
      c.set('Accepted', 'False', 'NoValidCACertificate', this.problem[1]);
      c.set('ResolvedRefs', 'False', this.problem[0], this.problem[1]);
    } else {
      c.set('Accepted', 'True', 'Accepted', 'Policy has been accepted.');
      c.set('ResolvedRefs', 'True', 'ResolvedRefs', 'Policy references have been resolved.');
    }
    return c;
  }
}

const targetKey = (t: TargetRef, namespace: string) =>
  `${t.group ?? ''}/${t.kind}/${namespace}/${t.name}/${t.sectionName ?? ''}`;

function validatePolicy(ctx: TranslatorContext, p: BackendTLSPolicyContext): void {
  const validation = p.resource.spec.validation;
  const cas: string[] = [];
  for (const ref of validation.caCertificateRefs ?? []) {
    const kind = ref.kind;
    // Envoy Gateway also takes a ClusterTrustBundle (cluster-scoped; its e2e manifests leave the
    // group empty, the API's is certificates.k8s.io).
    const bundle =
      kind === 'ClusterTrustBundle' && ['', 'certificates.k8s.io'].includes(ref.group ?? '');
    if (!bundle && ((ref.group ?? '') !== '' || (kind !== 'ConfigMap' && kind !== 'Secret'))) {
      p.problem = [
        'InvalidKind',
        `caCertificateRef kind ${kind} is not supported, only ConfigMap, Secret and ClusterTrustBundle.`,
      ];
      return;
    }
    const key = bundle ? ref.name : `${p.namespace}/${ref.name}`;
    const pem = readCABundle(ctx, kind, p.namespace, ref.name);
    if (!pem) {
      p.problem = [
        'InvalidCACertificateRef',
        `${kind} ${key} does not exist or holds no valid CA certificate.`,
      ];
      return;
    }
    cas.push(pem);
  }
  const system = validation.wellKnownCACertificates === 'System';
  if (cas.length === 0 && !system) {
    p.problem = ['InvalidCACertificateRef', 'No CA certificate to validate the backend with.'];
    return;
  }
  p.settings = {
    sni: validation.hostname,
    useSystemTrustStore: system && cas.length === 0,
    subjectAltNames: (validation.subjectAltNames ?? []).map((s) => ({
      type: s.type === 'URI' ? 'URI' : 'Hostname',
      value: (s.type === 'URI' ? s.uri : s.hostname) ?? '',
    })),
    policy: `${p.namespace}/${p.resource.metadata.name}`,
  };
  if (cas.length > 0) p.settings.caCertificate = cas.join('\n');
}

/** Index all policies once: validate them and mark the younger of two identical targets conflicted. */
export function indexBackendTLSPolicies(ctx: TranslatorContext): BackendTLSPolicyContext[] {
  const policies = [...ctx.resources.backendTLSPolicies]
    .sort(compareByAgeThenName)
    .map((r) => new BackendTLSPolicyContext(r));
  const owners = new Map<string, BackendTLSPolicyContext>();
  for (const p of policies) {
    validatePolicy(ctx, p);
    for (const t of p.resource.spec.targetRefs) {
      const key = targetKey(t, p.namespace);
      const owner = owners.get(key);
      if (owner && owner !== p) p.conflicted.add(key);
      else owners.set(key, p);
    }
  }
  return policies;
}

/**
 * The policy settings for a backend, registering the route's parents as the policy's ancestors
 * (for a backend an Envoy Gateway policy calls, the policy itself is the "parent").
 */
export function backendTLSFor(
  ctx: TranslatorContext,
  route: Pick<RouteContext, 'namespace'> & { parents?: readonly { ref: ParentRef }[] },
  target: BackendTarget,
): { settings?: UpstreamTLS; error?: RouteStatusError } | undefined {
  // Asked for every backend of every rule: most inputs have no BackendTLSPolicy at all.
  if (ctx.backendTLSPolicies.length === 0) return undefined;
  const matches = (p: BackendTLSPolicyContext, section: string | undefined) =>
    p.namespace === target.namespace &&
    p.resource.spec.targetRefs.some(
      (t) =>
        (t.group ?? '') === target.group &&
        t.kind === target.kind &&
        t.name === target.name &&
        t.sectionName === section,
    );
  const exact = target.sectionName
    ? ctx.backendTLSPolicies.filter((p) => matches(p, target.sectionName))
    : [];
  const candidates =
    exact.length > 0 ? exact : ctx.backendTLSPolicies.filter((p) => matches(p, undefined));
  if (candidates.length === 0) return undefined;
  const section = exact.length > 0 ? target.sectionName : undefined;
  const key = `${target.group}/${target.kind}/${target.namespace}/${target.name}/${section ?? ''}`;
  const winner = candidates.find((p) => !p.conflicted.has(key));
  for (const p of candidates) {
    for (const parent of route.parents ?? []) {
      p.addAncestor(
        { ...parent.ref, namespace: parent.ref.namespace ?? route.namespace },
        p !== winner,
      );
    }
  }
  if (!winner) return undefined;
  if (winner.problem) {
    return {
      error: unresolvedRef(
        'InvalidBackendTLS',
        `BackendTLSPolicy ${winner.namespace}/${winner.resource.metadata.name} is invalid: ${winner.problem[1]}`,
      ),
    };
  }
  return winner.settings ? { settings: winner.settings } : undefined;
}
