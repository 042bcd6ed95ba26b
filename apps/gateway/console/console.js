// The egts admin console: reads the admin server's JSON endpoints and /metrics every two seconds
// and draws the control plane's state. Plain browser JavaScript, no build step: egts serves this
// file as it is. Text from resources goes in through textContent only, never as HTML.

const REFRESH_MS = 2000;
/** The conditions that make a resource "not accepted", as `egts translate --check` counts them. */
const BAD = { Accepted: 'False', ResolvedRefs: 'False', Programmed: 'False' };
const HISTOGRAMS = [
  ['egts_xds_push_latency_seconds', 'push latency (snapshot set → ACK)'],
  ['egts_translation_duration_seconds', 'translation time (Gateway API → IR)'],
  ['egts_xds_translation_duration_seconds', 'xDS translation time (IR → Envoy, per Gateway)'],
];

/** `el('td', { class: 'x' }, 'text', child)`: an element with attributes and children. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

async function get(path, as = 'json') {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return as === 'json' ? response.json() : response.text();
}

const isBad = (conditions = []) => conditions.some((c) => BAD[c.type] === c.status);
const objectName = (meta) => (meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name);
const refName = (ref, namespace) =>
  `${ref.namespace ?? namespace ?? ''}/${ref.name}${ref.sectionName ? `/${ref.sectionName}` : ''}`;
const shortType = (typeUrl) => typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');

function conditionList(conditions = []) {
  const trueLast = (c) => (c.status === 'True' ? 1 : 0);
  return [...conditions]
    .sort((a, b) => trueLast(a) - trueLast(b))
    .map((c) =>
      el(
        'span',
        { class: `cond ${c.status}`, title: `${c.reason}: ${c.message}` },
        `${c.type}=${c.status}`,
        c.status !== 'True' ? el('span', { class: 'message' }, `${c.reason}: ${c.message}`) : null,
      ),
    );
}

/** One row per resource, route parent or policy ancestor; the bad ones first. */
function resourceRows(statuses) {
  const rows = [];
  for (const s of statuses) {
    if (s.kind === 'Gateway') continue;
    const name = objectName(s.metadata);
    const status = s.status ?? {};
    const entries = [];
    if (status.conditions) entries.push({ where: '', conditions: status.conditions });
    for (const p of status.parents ?? [])
      entries.push({ where: `parent ${refName(p.parentRef, s.metadata.namespace)}`, ...p });
    for (const a of status.ancestors ?? [])
      entries.push({ where: `ancestor ${refName(a.ancestorRef, s.metadata.namespace)}`, ...a });
    if (entries.length === 0) entries.push({ where: '', conditions: [] });
    for (const entry of entries) rows.push({ kind: s.kind, name, ...entry });
  }
  const rank = (row) => (isBad(row.conditions) ? 0 : 1);
  rows.sort(
    (a, b) => rank(a) - rank(b) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
  return rows.map((row) =>
    el(
      'tr',
      {
        class: isBad(row.conditions) ? 'bad' : 'good',
        'data-kind': row.kind,
        'data-name': row.name,
      },
      el('td', {}, row.kind),
      el('td', {}, row.name),
      el('td', {}, row.where),
      el('td', {}, conditionList(row.conditions)),
    ),
  );
}

function gatewayCards(statuses) {
  const gateways = statuses.filter((s) => s.kind === 'Gateway');
  if (gateways.length === 0) return [el('p', { class: 'muted' }, 'no Gateways')];
  const bad = (g) =>
    isBad(g.status?.conditions) || (g.status?.listeners ?? []).some((l) => isBad(l.conditions));
  gateways.sort((a, b) => Number(bad(b)) - Number(bad(a)));
  return gateways.map((g) =>
    el(
      'div',
      { class: 'gateway', 'data-gateway': objectName(g.metadata) },
      el('h3', {}, `Gateway ${objectName(g.metadata)} `, conditionList(g.status?.conditions)),
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', {}, 'listener'),
            el('th', {}, 'routes'),
            el('th', {}, 'conditions'),
          ),
        ),
        el(
          'tbody',
          {},
          (g.status?.listeners ?? []).map((l) =>
            el(
              'tr',
              { class: isBad(l.conditions) ? 'bad' : 'good' },
              el('td', {}, l.name),
              el('td', {}, String(l.attachedRoutes ?? '')),
              el('td', {}, conditionList(l.conditions)),
            ),
          ),
        ),
      ),
    ),
  );
}

function problemTable(problems) {
  if (problems.length === 0) return [el('p', { class: 'muted' }, 'none')];
  return [
    el(
      'table',
      {},
      el(
        'tbody',
        {},
        problems.map((p) =>
          el(
            'tr',
            { class: p.severity === 'error' ? 'bad' : 'good' },
            el('td', {}, p.severity),
            el('td', {}, [p.file, p.line].filter((x) => x !== undefined).join(':')),
            el('td', {}, [p.kind, [p.namespace, p.name].filter(Boolean).join('/')].join(' ')),
            el('td', {}, el('code', {}, (p.path ?? []).join('.'))),
            el('td', {}, p.message),
          ),
        ),
      ),
    ),
  ];
}

function proxyTables(dump, processes) {
  const streams = dump.proxies ?? [];
  const out = [];
  if (streams.length === 0) out.push(el('p', { class: 'muted' }, 'no proxy connected over xDS'));
  else
    out.push(
      el(
        'table',
        { id: 'streams' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['node', 'Gateway', 'xDS', 'connected', 'ACKed', 'NACKed'].map((h) => el('th', {}, h)),
          ),
        ),
        el(
          'tbody',
          {},
          streams.map((p) =>
            el(
              'tr',
              { class: p.rejected.length > 0 ? 'bad' : 'good' },
              el('td', {}, p.nodeId),
              el('td', {}, p.group ?? ''),
              el('td', {}, p.variant),
              el('td', {}, time(p.connectedAt)),
              el(
                'td',
                {},
                Object.entries(p.acked).map(([typeUrl, versions]) =>
                  el(
                    'div',
                    // Every resource and the version ACKed, on hover: too long for the table.
                    {
                      title: Object.entries(versions)
                        .map(([name, version]) => `${name}@${version}`)
                        .join('\n'),
                    },
                    `${shortType(typeUrl)}: ${Object.keys(versions).length} at ${time(p.ackedAt?.[typeUrl])}`,
                  ),
                ),
              ),
              el(
                'td',
                {},
                p.rejected.map((r) =>
                  el(
                    'div',
                    {},
                    `${shortType(r.typeUrl)} at ${time(r.at)}: `,
                    r.resources.map((x) => `${x.name}@${x.version}`).join(', '),
                    el('span', { class: 'message' }, r.message),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  if (Array.isArray(processes) && processes.length > 0)
    out.push(
      el('h3', {}, 'Local Envoy processes'),
      el(
        'table',
        {},
        el(
          'tbody',
          {},
          processes.map((p) =>
            el(
              'tr',
              { class: p.state === 'running' ? 'good' : 'bad' },
              el('td', {}, p.name),
              el('td', {}, p.state),
              el('td', {}, `pid ${p.pid ?? '-'}`),
              el('td', {}, `admin ${p.adminAddress}`),
              el('td', {}, `${p.restarts} restarts`),
            ),
          ),
        ),
      ),
    );
  return out;
}

/** Prometheus text format -> { name: [{ labels, value }] } (exposition format 0.0.4). */
function parseMetrics(text) {
  const samples = {};
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key] = value.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    samples[match[1]] ??= [];
    samples[match[1]].push({ labels, value: Number(match[3]) });
  }
  return samples;
}

const seconds = (s) => (s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 1 : 0)} ms` : `${s} s`);

/**
 * One table per histogram: a row per series (resource type for push latency), a column per bucket
 * with the observations that fell in it (not Prometheus's cumulative counts), shaded by share.
 */
function histogramTables(metricsText) {
  const samples = parseMetrics(metricsText);
  const out = [];
  for (const [name, title] of HISTOGRAMS) {
    const series = new Map();
    for (const { labels, value } of samples[`${name}_bucket`] ?? []) {
      const { le, ...rest } = labels;
      const key = JSON.stringify(rest);
      if (!series.has(key)) series.set(key, { labels: rest, buckets: [] });
      series
        .get(key)
        .buckets.push({ le: le === '+Inf' ? Infinity : Number(le), cumulative: value });
    }
    if (series.size === 0) continue;
    const bounds = [...series.values()][0].buckets.map((b) =>
      b.le === Infinity ? 'more' : `≤ ${seconds(b.le)}`,
    );
    const rows = [...series.values()].map(({ labels, buckets }) => {
      const total = buckets.at(-1)?.cumulative ?? 0;
      const sum = (samples[`${name}_sum`] ?? []).find(
        (s) => JSON.stringify(s.labels) === JSON.stringify(labels),
      )?.value;
      return el(
        'tr',
        {},
        el('td', {}, Object.values(labels).map(shortType).join(' ') || 'all'),
        el('td', {}, String(total)),
        el('td', {}, total && sum !== undefined ? seconds(sum / total) : ''),
        buckets.map((b, i) => {
          const count = b.cumulative - (i > 0 ? buckets[i - 1].cumulative : 0);
          const cell = el('td', { class: 'bucket' }, count ? String(count) : '·');
          // CSSOM, not a style attribute: the page's Content-Security-Policy forbids inline styles.
          if (count)
            cell.style.backgroundColor = `rgba(9, 105, 218, ${0.15 + (0.6 * count) / total})`;
          return cell;
        }),
      );
    });
    out.push(
      el(
        'div',
        { class: 'histogram', 'data-metric': name },
        el('h3', {}, title),
        el(
          'table',
          {},
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['', 'count', 'mean', ...bounds].map((h) => el('th', {}, h)),
            ),
          ),
          el('tbody', {}, rows),
        ),
      ),
    );
  }
  if (out.length === 0) out.push(el('p', { class: 'muted' }, 'nothing observed yet'));
  return out;
}

function replace(id, nodes) {
  document.getElementById(id).replaceChildren(...nodes);
}

async function refresh() {
  const [statuses, problems, dump, processes, metrics, ready] = await Promise.all([
    get('statuses'),
    get('problems'),
    get('config_dump'),
    get('proxies'),
    get('metrics', 'text'),
    fetch('readyz', { cache: 'no-store' }).then((r) => r.ok),
  ]);
  replace('gateways', gatewayCards(statuses));
  document.querySelector('#resources tbody').replaceChildren(...resourceRows(statuses));
  replace('problems', problemTable(problems));
  replace('proxies', proxyTables(dump, processes));
  replace('histograms', histogramTables(metrics));
  const badResources = statuses.filter((s) =>
    [
      s.status ?? {},
      ...['listeners', 'parents', 'ancestors'].flatMap((k) => s.status?.[k] ?? []),
    ].some((entry) => isBad(entry.conditions)),
  ).length;
  const readyPill = document.getElementById('ready');
  readyPill.textContent = ready ? 'ready' : 'not ready';
  readyPill.className = `pill ${ready ? 'ok' : 'bad'}`;
  document.getElementById('summary').textContent =
    `${statuses.length} resources, ${badResources} not accepted, ${problems.length} problems`;
}

async function loop() {
  try {
    await refresh();
    document.getElementById('refreshed').textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes ?? 0) + 1);
  } catch (error) {
    document.getElementById('refreshed').textContent = `admin API unreachable: ${error.message}`;
  }
  setTimeout(loop, REFRESH_MS);
}

loop();
