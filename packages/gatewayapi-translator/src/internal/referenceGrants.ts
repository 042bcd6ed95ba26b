// Cross-namespace references: allowed only when a ReferenceGrant in the referent's namespace
// names the referrer's group/kind/namespace and the referent's group/kind (and name, if given).
import type { TranslatorContext } from './context/translatorContext.js';

export interface RefFrom {
  group: string;
  kind: string;
  namespace: string;
}

export interface RefTo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export function isReferenceAllowed(ctx: TranslatorContext, from: RefFrom, to: RefTo): boolean {
  if (from.namespace === to.namespace) return true;
  for (const grant of ctx.referenceGrants.get(to.namespace) ?? []) {
    const fromOk = grant.spec.from.some(
      (f) =>
        f.namespace === from.namespace && (f.group ?? '') === from.group && f.kind === from.kind,
    );
    if (!fromOk) continue;
    const toOk = grant.spec.to.some(
      (t) => (t.group ?? '') === to.group && t.kind === to.kind && (!t.name || t.name === to.name),
    );
    if (toOk) return true;
  }
  return false;
}
