// The translator's RE2 verdict agrees with the real Envoy's (`envoy --mode validate`, default
// runtime, so re2.max_program_size.error_level is 100): no regex egts accepts is one Envoy
// rejects, and few that Envoy loads are refused. Regexes near the size limit are the test.
import { findEnvoy, validateEnvoyConfig } from '@egts/envoy-binary';
import { describe, expect, it } from 'vitest';
import { translateRegexRoutes } from './regexRoutes.js';

let envoy: string | undefined;
try {
  envoy = findEnvoy();
} catch {
  envoy = undefined;
}

const bootstrap = (regex: string) => ({
  static_resources: {
    listeners: [
      {
        name: 'l',
        address: { socket_address: { address: '127.0.0.1', port_value: 1 } },
        filter_chains: [
          {
            filters: [
              {
                name: 'hcm',
                typed_config: {
                  '@type':
                    'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                  stat_prefix: 's',
                  http_filters: [
                    {
                      name: 'envoy.filters.http.router',
                      typed_config: {
                        '@type':
                          'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                      },
                    },
                  ],
                  route_config: {
                    virtual_hosts: [
                      {
                        name: 'v',
                        domains: ['*'],
                        routes: [
                          { match: { safe_regex: { regex } }, direct_response: { status: 200 } },
                        ],
                      },
                    ],
                  },
                },
              },
            ],
          },
        ],
      },
    ],
  },
});

/** Atoms and quantifiers around the program-size limit, in a fixed pseudo-random mix. */
function corpus(): string[] {
  const atoms = [
    'a',
    'é',
    '.',
    '[a-z]',
    '[ac]',
    '[a-zA-Z0-9._-]',
    '\\d',
    '\\w',
    '\\s',
    '[^/]',
    '(foo|bar)',
    '/',
    '(?i)ab',
    '\\pL',
  ];
  const quantifiers = ['', '*', '+', '?', '{3}', '{0,4}', '{2,}', '{9}', '{0,12}'];
  const out = [
    '/[a-z]{95}',
    '/[a-z]{96}',
    'a{96}',
    'a{97}',
    '/[a-zA-Z0-9._-]{0,19}',
    '/[a-zA-Z0-9._-]{0,20}',
    '.{48}',
    '.{49}',
    // An anchored literal is RE2's required prefix, outside the program (a prefix rewrite's regex).
    `^/${'a'.repeat(300)}/*`,
    `^/${'a'.repeat(150)}[a-z]{90}`,
    `^/${'a'.repeat(150)}[a-z]{99}`,
    `(?i)^/${'ab'.repeat(80)}`,
    `^/a(b)${'c'.repeat(120)}`,
    `/${'a'.repeat(150)}/*`,
    `(?m)^/${'a'.repeat(150)}`,
  ];
  let seed = 11;
  const pick = (n: number) => {
    seed = (seed * 48271) % 2147483647;
    return seed % n;
  };
  while (out.length < 67) {
    let s = '/';
    for (let j = 0, n = 2 + pick(5); j < n; j++)
      s += atoms[pick(atoms.length)]! + quantifiers[pick(quantifiers.length)]!;
    out.push(s);
  }
  return out;
}

describe.skipIf(envoy === undefined)('RE2 verdicts against Envoy', () => {
  it('accepts nothing Envoy rejects, and refuses little Envoy loads', {
    timeout: 180_000,
  }, async () => {
    const regexes = corpus();
    const { verdicts } = translateRegexRoutes(regexes);
    const envoyLoads: boolean[] = [];
    for (const regex of regexes)
      envoyLoads.push((await validateEnvoyConfig(bootstrap(regex))).valid);
    const unsafe = verdicts.filter((v, i) => v.accepted && !envoyLoads[i]).map((v) => v.regex);
    const overCautious = verdicts
      .filter((v, i) => !v.accepted && envoyLoads[i])
      .map((v) => v.regex);
    console.log(
      `${regexes.length} regexes: Envoy loads ${envoyLoads.filter(Boolean).length}, egts accepts ${verdicts.filter((v) => v.accepted).length}, refused though Envoy loads: ${overCautious.length}`,
    );
    expect(unsafe).toEqual([]);
    expect(overCautious.length).toBeLessThanOrEqual(regexes.length / 10);
  });
});
