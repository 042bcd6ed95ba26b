// stringifyYaml writes what the `yaml` library's stringify writes, byte for byte, on random data
// built from the strings and shapes where YAML quoting and layout are tricky.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { stringifyYaml } from '../yaml.js';

const TRICKY = [
  '',
  'a',
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  'n',
  '~',
  'null',
  'Null',
  'true',
  'False',
  '1',
  '-1',
  '+1',
  '1.0',
  '1e3',
  '0x1F',
  '0o17',
  '012',
  '0b101',
  '1:20',
  '1_000',
  '.inf',
  '-.Inf',
  '.nan',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '@type',
  '*',
  '*.example.com',
  '- a',
  '-',
  '?',
  '? x',
  ':',
  'a: b',
  'a:b',
  'a #b',
  'a#b',
  'x:',
  ' x',
  'x ',
  '"q"',
  "'s'",
  `a"b'c`,
  'a"b',
  "it's",
  '%x',
  '---',
  '---x',
  '...',
  '[a]',
  '{a}',
  ',',
  '!x',
  '&x',
  '|',
  '>',
  '`x`',
  'é',
  'line\nbreak',
  'tab\there',
  '\u0007',
  '10.1.0.1',
  '0.0.0.0',
  '/',
  '/a/b',
  'type.googleapis.com/envoy.config.listener.v3.Listener',
  'httproute/team-0/route-1/rule/0/match/0/*',
  'x'.repeat(1100),
  '=',
  '<<',
  '\\',
  'a\\b',
  '%',
];

/** A small seeded generator, so a failure reproduces. */
function random(seed: number, strings: readonly string[]) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const value = (depth: number, shared: object[]): unknown => {
    const r = next();
    if (depth > 3 || r < 0.45) {
      return pick<unknown>([
        pick(strings),
        pick(strings),
        0,
        -0,
        1.5,
        -2,
        1e21,
        123456789,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        true,
        false,
        null,
      ]);
    }
    if (r < 0.5 && shared.length > 0) return pick(shared);
    const object: object =
      r < 0.75
        ? Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1, shared))
        : Object.fromEntries(
            Array.from({ length: Math.floor(next() * 4) }, () => [
              pick(strings),
              value(depth + 1, shared),
            ]),
          );
    if (next() < 0.2) shared.push(object);
    return object;
  };
  return () => {
    const top = value(0, []);
    return typeof top === 'object' && top !== null ? top : { top, list: [top, { top }] };
  };
}

describe('stringifyYaml', () => {
  for (const version of ['1.1', '1.2'] as const) {
    for (const aliasDuplicateObjects of [true, false]) {
      it(`writes what the yaml library writes (YAML ${version}, aliases ${aliasDuplicateObjects})`, () => {
        // The tricky strings, and those of them this writer writes itself (no library fallback).
        const all = random(version === '1.1' ? 1 : 2, TRICKY);
        const own = random(
          3,
          TRICKY.filter((s) => /^[\x20-\x7e]{0,1000}$/.test(s) && !/^(---|\.\.\.)|^<<$/.test(s)),
        );
        for (let i = 0; i < 6000; i++) {
          const next = i % 2 === 0 ? all : own;
          const value = next();
          const expected = stringify(value, { version, lineWidth: 0, aliasDuplicateObjects });
          expect(
            stringifyYaml(value, { version, aliasDuplicateObjects }),
            JSON.stringify(value),
          ).toBe(expected);
        }
      });
    }
  }

  it('writes a document far larger than its first buffer (an Envoy config of thousands of routes)', () => {
    const routes = Array.from({ length: 4000 }, (_, i) => ({
      name: `httproute/team-${i % 10}/route-${i}/rule/0`,
      match: {
        prefix: `/r${i}`,
        headers: [{ name: 'x-version', exact: i % 3 === 0 ? 'yes' : `${i}` }],
      },
      route: { cluster: `httproute/team-${i % 10}/route-${i}/rule/0`, timeout: '15s', weights: [] },
    }));
    const value = { virtualHosts: [{ name: 'all', domains: ['*'], routes }] };
    const written = stringifyYaml(value, { version: '1.1', aliasDuplicateObjects: false });
    expect(written.length).toBeGreaterThan(512 * 1024);
    expect(written).toBe(
      stringify(value, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false }),
    );
  });

  it('leaves undefined fields out, as JSON does', () => {
    expect(stringifyYaml({ a: undefined, b: 1 })).toBe('b: 1\n');
  });
});
