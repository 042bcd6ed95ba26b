// `egts status [KIND] [-n NAMESPACE]`: the statuses a running egts computed (its admin /statuses),
// as a table, YAML or JSON; exits non-zero when a shown resource is not accepted, has unresolved
// references or is not programmed, or when the provider could not read one (/problems). Shaped
// after Envoy Gateway's `egctl x status`.
import type { Condition, Problem, ResourceStatus } from '@egts/api';
import { Command, Option } from 'commander';
import type { Address } from './address.js';
import { adminAddressOption, getJson } from './adminClient.js';

export interface StatusCliOptions {
  adminAddress: Address;
  namespace?: string | undefined;
  output: 'table' | 'yaml' | 'json';
}

export interface StatusCliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** `httproute`, `HTTPRoutes` and `HTTPRoute` all name the kind HTTPRoute. */
const sameKind = (wanted: string, kind: string) =>
  [kind.toLowerCase(), `${kind.toLowerCase()}s`].includes(wanted.toLowerCase());

/** One row per resource, listener, route parent or policy ancestor. */
function tableRows(statuses: readonly ResourceStatus[]): string[][] {
  const rows: string[][] = [];
  const conditions = (list: unknown) =>
    ((list ?? []) as Condition[]).map((c) => `${c.type}=${c.status}(${c.reason})`).join(' ');
  for (const s of statuses) {
    const name = s.metadata.namespace
      ? `${s.metadata.namespace}/${s.metadata.name}`
      : s.metadata.name;
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
    const ref = (r: { namespace?: string; name: string; sectionName?: string }) =>
      `${r.namespace ?? s.metadata.namespace ?? ''}/${r.name}${r.sectionName ? `/${r.sectionName}` : ''}`;
    if (st.conditions !== undefined) rows.push([s.kind, name, '', conditions(st.conditions)]);
    for (const l of st.listeners ?? [])
      rows.push([s.kind, name, `listener ${l.name}`, conditions(l.conditions)]);
    for (const p of st.parents ?? [])
      rows.push([s.kind, name, `parent ${ref(p.parentRef)}`, conditions(p.conditions)]);
    for (const a of st.ancestors ?? [])
      rows.push([s.kind, name, `ancestor ${ref(a.ancestorRef)}`, conditions(a.conditions)]);
  }
  return rows;
}

function table(rows: string[][]): string {
  const all = [['KIND', 'NAME', 'WHERE', 'CONDITIONS'], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all
    .map((r) =>
      r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '),
    )
    .join('\n')
    .concat('\n');
}

/** What `egts status` does, without touching the process: the CLI and its tests share it. */
export async function runStatus(
  kind: string | undefined,
  options: StatusCliOptions,
): Promise<StatusCliResult> {
  const wanted = (s: { kind?: string | undefined; namespace?: string | undefined }) =>
    (kind === undefined || kind === 'all' || (s.kind !== undefined && sameKind(kind, s.kind))) &&
    (options.namespace === undefined || s.namespace === options.namespace);
  // Loaded when the command runs, not when it is defined: `egts --version` loads no translator (#24).
  const [{ formatProblem }, { formatStatusProblem, renderStatuses, statusProblems }] =
    await Promise.all([import('@egts/api'), import('@egts/gatewayapi-translator')]);
  const [allStatuses, allProblems] = (await Promise.all([
    getJson(options.adminAddress, '/statuses'),
    getJson(options.adminAddress, '/problems'),
  ])) as [ResourceStatus[], Problem[]];
  const statuses = allStatuses.filter((s) =>
    wanted({ kind: s.kind, namespace: s.metadata.namespace }),
  );
  const problems = allProblems.filter((p) => p.severity === 'error' && wanted(p));
  const stdout =
    options.output === 'table'
      ? statuses.length === 0
        ? ''
        : table(tableRows(statuses))
      : renderStatuses(statuses, options.output);
  const notAccepted = statusProblems(statuses);
  const lines = [...notAccepted.map(formatStatusProblem), ...problems.map(formatProblem)];
  if (statuses.length === 0 && problems.length === 0)
    lines.push(
      `no ${kind ?? 'resource'} statuses${options.namespace ? ` in namespace ${options.namespace}` : ''}`,
    );
  return {
    stdout,
    stderr: lines.length > 0 ? `${lines.join('\n')}\n` : '',
    exitCode: notAccepted.length > 0 || problems.length > 0 ? 1 : 0,
  };
}

export function statusCommand(): Command {
  return new Command('status')
    .description(
      'print the statuses of a running egts (all kinds, or KIND); non-zero when one is not accepted',
    )
    .argument('[kind]', 'a kind (HTTPRoute, gateway, httproutes, ...) or all', undefined)
    .option('-n, --namespace <namespace>', 'only resources in this namespace')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['table', 'yaml', 'json'])
        .default('table'),
    )
    .option(...adminAddressOption)
    .action(async (kind: string | undefined, options: StatusCliOptions, command: Command) => {
      const result = await runStatus(kind, options).catch((error: Error) =>
        command.error(`error: ${error.message}`),
      );
      process.stdout.write(result.stdout);
      if (result.stderr) process.stderr.write(result.stderr);
      if (result.exitCode !== 0) process.exitCode = result.exitCode;
    });
}
