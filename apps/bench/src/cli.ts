// `pnpm bench [--only translate,change,endpoint,policy,propagation,edits,rss,cli,coldstart,restart] [--large] [--quick]`:
// runs the benchmarks, prints one table per measure and writes results/latest.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cliRuns, coldStarts, restarts } from './coldPath.js';
import { changeCost, coldTranslation } from './inProcess.js';
import { httpScenario, largeScenario, type Scenario } from './scenarios.js';
import {
  editsUnderTraffic,
  egtsCommand,
  propagation,
  rssByScale,
  useSources,
} from './throughEnvoy.js';

const MEASURES = [
  'translate',
  'change',
  'endpoint',
  'policy',
  'propagation',
  'edits',
  'rss',
  'cli',
  'coldstart',
  'restart',
] as const;
type Measure = (typeof MEASURES)[number];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    large: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    source: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`pnpm bench [--only ${MEASURES.join(',')}] [--large] [--quick] [--out FILE]
  --large  adds the 10,000-route scale
  --quick  fewer runs and samples (a run of everything in a few minutes)
  --source run egts from its sources (tsx) instead of apps/gateway/dist`);
  process.exit(0);
}
const only = new Set<Measure>(
  values.only === undefined
    ? MEASURES
    : values.only.split(',').map((m) => {
        if (!(MEASURES as readonly string[]).includes(m)) throw new Error(`unknown measure ${m}`);
        return m as Measure;
      }),
);
const quick = values.quick;
useSources(values.source);
const scales = [100, 1000, 5000, ...(values.large ? [10_000] : [])];
const scenarios = (): Scenario[] => [
  ...scales.map((routes) => httpScenario({ routes })),
  largeScenario(),
];

const table = (title: string, rows: readonly object[]) => {
  console.log(`\n${title}`);
  console.table(rows);
};

const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  note: 'load average at start: shared machine, absolute times are noisy; medians reported',
  egts: egtsCommand(values.source).join(' '),
};

if (only.has('translate')) {
  const rows = scenarios().map((s) => coldTranslation(s, quick ? 3 : 7));
  table('1. cold translation, Gateway API -> xDS resources (median ms; MiB allocated)', rows);
  results.coldTranslation = rows;
}
if (only.has('change')) {
  const rows = scenarios().map((s) => changeCost(s, 'HTTPRoute', quick ? 5 : 15));
  table('2. one HTTPRoute change (translation + snapshots set; bytes of changed resources)', rows);
  results.routeChange = rows;
}
if (only.has('endpoint')) {
  const rows = scenarios().map((s) => changeCost(s, 'EndpointSlice', quick ? 5 : 15));
  table('3. one EndpointSlice change (endpoint-only push)', rows);
  results.endpointChange = rows;
}
if (only.has('policy')) {
  // The large shape's 500 BackendTrafficPolicies and 500 SecurityPolicies, one each per HTTPRoute.
  const rows = [
    changeCost(largeScenario(), 'BackendTrafficPolicy', quick ? 5 : 15),
    changeCost(largeScenario(), 'SecurityPolicy', quick ? 5 : 15),
  ];
  table("3b. one policy change, large shape (only its route's clusters, or its route)", rows);
  results.policyChange = rows;
}
if (only.has('propagation')) {
  const row = await propagation(1000, quick ? 10 : 50);
  table('4. propagation through Envoy: route added on top of 1,000 (file written -> first 200)', [
    row,
  ]);
  results.propagation = row;
}
if (only.has('edits')) {
  const row = await editsUnderTraffic(1000, quick ? 5 : 20, 300, quick ? 8000 : 20_000);
  table('5. route edits under constant traffic (errors = any non-200)', [row]);
  results.editsUnderTraffic = row;
}
if (only.has('rss')) {
  const rows = await rssByScale(scales);
  table(
    '6. egts RSS (MiB) afterS seconds after each scale is served; negative routes = scaled back down',
    rows,
  );
  results.rss = rows;
}
if (only.has('cli')) {
  // 1,000 and 5,000 routes and the large shape (100 routes start in well under a second anyway).
  const shapes = scenarios().filter((s) => s.name !== 'http-100');
  const rows = cliRuns(shapes, quick ? 3 : 5, values.source);
  table('7. the egts CLI as a whole process, start to exit (ms; its CPU ms; peak RSS MiB)', rows);
  results.cli = rows;
}
if (only.has('coldstart')) {
  // The last case is a first start: the xDS certificates are made too.
  const rows = await coldStarts(
    [{ routes: 1000 }, { routes: 5000 }, { routes: 5000, firstStart: true }],
    quick ? 1 : 3,
  );
  table('8. server cold start: egts run -f DIR -> first correct answer through Envoy (ms)', rows);
  results.coldStart = rows;
}
if (only.has('restart')) {
  const rows = await restarts([1000, 5000], quick ? 1 : 3);
  table(
    '9. server restart: egts killed, a route edited, egts started -> the edit served through the Envoy left running (ms; requests to another route meanwhile, errors)',
    rows,
  );
  results.restart = rows;
}

results.finishedAt = new Date().toISOString();
const out =
  values.out ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'latest.json');
mkdirSync(dirname(out), { recursive: true });
// A subset updates its measures in the file and keeps the others (each run's context is kept too).
const previous =
  values.only !== undefined && existsSync(out)
    ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>)
    : {};
const { startedAt, finishedAt, loadAverage, ...measures } = results;
const runs = [
  ...((previous.runs as unknown[] | undefined) ?? []),
  { only: [...only], startedAt, finishedAt, loadAverage },
].slice(-10);
writeFileSync(out, `${JSON.stringify({ ...previous, ...measures, runs }, null, 2)}\n`);
console.log(`\nwritten ${out}`);
