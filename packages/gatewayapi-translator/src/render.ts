// Rendering translation results for people and tools (`egts translate`), and the CI check of
// `--check`: which resources are not accepted or have unresolved references.
import type { ResourceStatus } from '@egts/api';
import { stringifyYaml } from '@egts/api/yaml';
import type { TranslateResult } from './translate.js';

export type OutputFormat = 'yaml' | 'json';

const yamlDoc = (value: unknown) => stringifyYaml(value);

/** Statuses as a multi-document YAML stream, or a JSON array. */
export function renderStatuses(
  statuses: readonly ResourceStatus[],
  format: OutputFormat = 'yaml',
): string {
  if (format === 'json') return `${JSON.stringify(statuses, null, 2)}\n`;
  return statuses.map(yamlDoc).join('---\n');
}

/** Infra and xDS IR as one YAML document, or JSON. */
export function renderIR(
  result: Pick<TranslateResult, 'infraIR' | 'xdsIR'>,
  format: OutputFormat = 'yaml',
): string {
  const value = { infraIR: result.infraIR, xdsIR: result.xdsIR };
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : yamlDoc(value);
}

/** One thing `--check` complains about. */
export interface StatusProblem {
  kind: string;
  namespace: string | undefined;
  name: string;
  /** Where: `listener http`, `parent envoy-gateway/gw`, ... (empty for the resource itself). */
  where: string;
  type: string;
  reason: string;
  message: string;
}

interface CondLike {
  type: string;
  status: string;
  reason: string;
  message: string;
}

const BAD: Record<string, string> = {
  Accepted: 'False',
  ResolvedRefs: 'False',
  Programmed: 'False',
};

function collect(
  s: ResourceStatus,
  where: string,
  conditions: unknown,
  out: StatusProblem[],
): void {
  for (const c of (conditions ?? []) as CondLike[]) {
    if (BAD[c.type] === c.status) {
      out.push({
        kind: s.kind,
        namespace: s.metadata.namespace,
        name: s.metadata.name,
        where,
        type: c.type,
        reason: c.reason,
        message: c.message,
      });
    }
  }
}

/** Every resource, listener, route parent or policy ancestor that is not Accepted or has unresolved refs. */
export function statusProblems(statuses: readonly ResourceStatus[]): StatusProblem[] {
  const out: StatusProblem[] = [];
  for (const s of statuses) {
    const st = s.status as {
      conditions?: unknown;
      listeners?: { name: string; conditions: unknown }[];
      parents?: {
        parentRef: { namespace?: string; name: string; sectionName?: string };
        conditions: unknown;
      }[];
      ancestors?: {
        ancestorRef: { namespace?: string; name: string; sectionName?: string };
        conditions: unknown;
      }[];
    };
    collect(s, '', st.conditions, out);
    for (const l of st.listeners ?? []) collect(s, `listener ${l.name}`, l.conditions, out);
    for (const p of st.parents ?? []) {
      const ref = `${p.parentRef.namespace ?? s.metadata.namespace ?? ''}/${p.parentRef.name}${p.parentRef.sectionName ? `/${p.parentRef.sectionName}` : ''}`;
      collect(s, `parent ${ref}`, p.conditions, out);
    }
    for (const a of st.ancestors ?? []) {
      collect(
        s,
        `ancestor ${a.ancestorRef.namespace ?? ''}/${a.ancestorRef.name}`,
        a.conditions,
        out,
      );
    }
  }
  return out;
}

export function formatStatusProblem(p: StatusProblem): string {
  const id = `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`;
  return `${id}${p.where ? ` ${p.where}` : ''}: ${p.type}=False ${p.reason}: ${p.message}`;
}
