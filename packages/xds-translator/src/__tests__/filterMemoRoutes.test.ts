// A connection manager's HTTP filters are kept when a route that none of them needs is added or
// removed (filterMemo.ts). On the IR of every Gateway API golden case of both translators (the
// policies the gateway API translator writes: JWT, OIDC, CORS, authorization, rate limits,
// extensions...), routes are removed, put back elsewhere and moved between the updates of one
// xDS translator, and each output must equal a fresh translateXds() of the same IR.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadResourcesFromText } from '@egts/api';
import { translate } from '@egts/gatewayapi-translator';
import type { HTTPRouteIR, XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { createXdsTranslator, translateXds } from '../index.js';
import { caseIR, goldenCases } from './goldens.js';

const NOW = new Date('2027-01-01T00:00:00Z');
const TRANSLATOR_TESTDATA = fileURLToPath(
  new URL('../../../gatewayapi-translator/testdata/', import.meta.url),
);

const translatorCaseIR = async (file: string): Promise<XdsIR[]> => {
  const path = join(TRANSLATOR_TESTDATA, file);
  const { resources } = await loadResourcesFromText(readFileSync(path, 'utf8'), path, {
    lenient: true,
  });
  return translate(resources, { now: NOW }).xdsIR;
};

/** Every fleet's IR of the golden cases, with its case's name. */
const fleets = async (): Promise<{ name: string; ir: XdsIR }[]> => {
  const out: { name: string; ir: XdsIR }[] = [];
  for (const file of readdirSync(TRANSLATOR_TESTDATA)
    .filter((f) => f.endsWith('.in.yaml'))
    .sort())
    for (const ir of await translatorCaseIR(file)) out.push({ name: `${file} ${ir.name}`, ir });
  for (const name of goldenCases())
    for (const ir of await caseIR(name)) out.push({ name: `${name} ${ir.name}`, ir });
  return out.filter(({ ir }) => ir.http.some((listener) => listener.routes.length > 0));
};

/** A fixed pseudo-random sequence (mulberry32): the same edits on every run. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const STEPS = 24;

describe('HTTP filter memo, routes added, removed and moved', () => {
  it('gives what translateXds gives', async () => {
    const all = await fleets();
    expect(all.length).toBeGreaterThan(5);
    let countChanges = 0;
    for (const [f, { name, ir }] of all.entries()) {
      const next = random(f + 1);
      const pick = (n: number) => Math.floor(next() * n);
      const translator = createXdsTranslator();
      let routes = ir.http.map((listener) => [...listener.routes]);
      // The routes taken out of each listener, put back later (as the same objects, as the
      // gateway API translator gives an unchanged route).
      const out: HTTPRouteIR[][] = ir.http.map(() => []);
      const current = (): XdsIR => ({
        ...ir,
        http: ir.http.map((listener, n) => ({ ...listener, routes: routes[n]! })),
      });
      expect(translator.update('f', current()), name).toEqual(translateXds(current()));
      for (let step = 0; step < STEPS; step++) {
        const counts = routes.map((list) => list.length);
        routes = routes.map((list) => [...list]);
        // One to three edits in one update, in listeners that have routes.
        for (let k = 1 + pick(3); k > 0; k--) {
          const n = pick(routes.length);
          const list = routes[n]!;
          const op = pick(3);
          if (op === 0 && list.length > 0) out[n]!.push(...list.splice(pick(list.length), 1));
          else if (op === 1 && out[n]!.length > 0)
            list.splice(pick(list.length + 1), 0, ...out[n]!.splice(pick(out[n]!.length), 1));
          else if (list.length > 1)
            list.splice(pick(list.length), 0, ...list.splice(pick(list.length), 1));
        }
        const input = current();
        if (routes.some((list, n) => list.length !== counts[n])) countChanges++;
        expect(translator.update('f', input), `${name} step ${step}`).toEqual(translateXds(input));
      }
    }
    // Most updates added or removed routes: the path under test ran.
    expect(countChanges).toBeGreaterThan((all.length * STEPS) / 3);
  });

  it('watches a route added where it changed no filter, when it is replaced later', async () => {
    // A filter kept when a route it ignores was added (to a listener with no routes, so the kept
    // build read nothing of routes) must notice when that route is replaced by one that needs it.
    const all = await fleets();
    for (const [f, { name, ir }] of all.entries()) {
      // The fleet's own routes: names and content agree within one IR, as the translator gives.
      const pool = ir.http.flatMap((listener) => listener.routes);
      const next = random(100 + f);
      const translator = createXdsTranslator();
      const withRoutes = (routes: HTTPRouteIR[]): XdsIR => ({
        ...ir,
        http: ir.http.map((listener, n) => (n === 0 ? { ...listener, routes } : listener)),
      });
      const steps = [
        [],
        ...Array.from({ length: 12 }, () => [pool[Math.floor(next() * pool.length)]!]),
      ];
      for (const [step, routes] of steps.entries()) {
        const input = withRoutes(routes);
        expect(translator.update('f', input), `${name} step ${step}`).toEqual(translateXds(input));
      }
    }
  });
});
