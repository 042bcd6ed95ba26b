// The status conformance scorer's rules (check.py next to the corpus) in TypeScript: expected
// conditions must be present with the same status and reason (extra ones allowed), listeners must
// agree on attachedRoutes and supportedKinds, parents/ancestors must be exactly the expected ones.

export type Doc = {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  status?: Record<string, unknown>;
};
type Cond = { type: string; status: string; reason: string };
type Obj = Record<string, unknown>;

const GW = 'gateway.networking.k8s.io';
const docKey = (d: Doc) => `${d.kind}|${d.metadata?.namespace ?? ''}|${d.metadata?.name}`;
const refKey = (r: Obj = {}, ns: string) =>
  [
    r.group ?? GW,
    r.kind ?? 'Gateway',
    r.namespace || ns,
    r.name,
    r.sectionName ?? '',
    r.port ?? 0,
  ].join('|');
const kinds = (x: unknown) =>
  ((x ?? []) as { group?: string; kind: string }[])
    .map((k) => `${k.group ?? GW}/${k.kind}`)
    .sort()
    .join();

function condsMatch(expected: unknown, actual: unknown): boolean {
  const got = new Map(((actual ?? []) as Cond[]).map((c) => [c.type, `${c.status}|${c.reason}`]));
  return ((expected ?? []) as Cond[]).every((c) => got.get(c.type) === `${c.status}|${c.reason}`);
}

function listenersMatch(expected: Obj[], actual: Obj[]): boolean {
  const remaining = [...actual];
  return expected.every((l) => {
    const i = remaining.findIndex((a) => a.name === l.name);
    const a = i >= 0 ? remaining.splice(i, 1)[0] : undefined;
    return (
      a !== undefined &&
      (l.attachedRoutes ?? 0) === (a.attachedRoutes ?? 0) &&
      kinds(l.supportedKinds) === kinds(a.supportedKinds) &&
      condsMatch(l.conditions, a.conditions)
    );
  });
}

function refsMatch(expected: unknown, actual: unknown, refField: string, ns: string): boolean {
  const index = (list: unknown) =>
    new Map(((list ?? []) as Obj[]).map((p) => [refKey(p[refField] as Obj, ns), p]));
  const want = index(expected);
  const got = index(actual);
  if ([...got.keys()].some((k) => !want.has(k))) return false;
  return [...want].every(([k, p]) => {
    const a = got.get(k);
    return (
      a !== undefined &&
      (!p.controllerName || p.controllerName === a.controllerName) &&
      condsMatch(p.conditions, a.conditions)
    );
  });
}

export function statusMatches(exp: Doc, act: Doc | undefined): boolean {
  const es = exp.status ?? {};
  const as = act?.status ?? {};
  const ns = exp.metadata?.namespace ?? '';
  if (!condsMatch(es.conditions, as.conditions)) return false;
  if (es.listeners && !listenersMatch(es.listeners as Obj[], (as.listeners ?? []) as Obj[]))
    return false;
  if ('parents' in es && !refsMatch(es.parents, as.parents, 'parentRef', ns)) return false;
  if ('ancestors' in es && !refsMatch(es.ancestors, as.ancestors, 'ancestorRef', ns)) return false;
  return true;
}

/** Whether every expected document matches the computed one with the same kind/namespace/name. */
export function expectedMatches(expected: readonly Doc[], actual: readonly Doc[]): boolean {
  const byKey = new Map<string, Doc[]>();
  for (const doc of actual) byKey.set(docKey(doc), [...(byKey.get(docKey(doc)) ?? []), doc]);
  return expected.every((e) => statusMatches(e, byKey.get(docKey(e))?.shift()));
}
