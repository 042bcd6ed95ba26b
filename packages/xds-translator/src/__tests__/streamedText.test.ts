// The streamed writers print, byte for byte, what the whole-document writers print: the Envoy
// config of every golden case as JSON and YAML, its bootstrap and each xDS resource type alone;
// and hand-made values with what the YAML writer leaves to the `yaml` library (multi-line and
// non-ASCII strings, odd keys, empty lists and maps).
import { describe, expect, it } from 'vitest';
import {
  bootstrapToJson,
  envoyTextChunks,
  formatEnvoyJson,
  StreamedArray,
  StreamedObject,
  streamedBootstrap,
  streamedXdsResources,
  translateBootstrap,
  translateXds,
  XDS_RESOURCE_TYPES,
  xdsResourcesToJson,
} from '../index.js';
import { caseIR, goldenCases } from './goldens.js';

const joined = (chunks: Iterable<string>) => [...chunks].join('');

describe('streamed Envoy text', () => {
  it.each(goldenCases())(
    '%s: bootstrap and resources as the whole-document writers',
    async (name) => {
      const irs = await caseIR(name);
      for (const ir of irs) {
        const bootstrap = translateBootstrap(ir);
        const resources = translateXds(ir);
        for (const format of ['yaml', 'json'] as const) {
          expect(joined(envoyTextChunks(streamedBootstrap(bootstrap), format))).toBe(
            formatEnvoyJson(bootstrapToJson(bootstrap), format),
          );
          for (const type of XDS_RESOURCE_TYPES) {
            const whole = {
              gateway: ir.name,
              type,
              resources: xdsResourcesToJson(resources, type),
            };
            const streamed = new StreamedObject([
              ['gateway', ir.name],
              ['type', type],
              ['resources', streamedXdsResources(resources, type)],
            ]);
            expect(joined(envoyTextChunks(streamed, format))).toBe(formatEnvoyJson(whole, format));
          }
        }
      }
    },
  );

  const odd = {
    'multi\nline key': 'a\n\n  b\n',
    plain: 'x',
    ünï: ['ça', { '': '', yes: 'no', n: -0, list: [], map: {} }],
    deep: { a: [{ b: 'c\nd' }, [], [[1]], null] },
    empty: [],
    nothing: {},
    gone: undefined,
  };
  const streamedOdd = new StreamedObject([
    ['multi\nline key', odd['multi\nline key']],
    ['plain', 'x'],
    ['ünï', new StreamedArray(2, (i) => odd['ünï'][i])],
    [
      'deep',
      new StreamedObject([
        [
          'a',
          new StreamedArray(4, (i) =>
            i === 0 ? new StreamedObject([['b', 'c\nd']]) : odd.deep.a[i],
          ),
        ],
      ]),
    ],
    ['empty', new StreamedArray(0, () => 0)],
    ['nothing', new StreamedObject([['gone', undefined]])],
    ['gone', undefined],
  ]);
  for (const format of ['yaml', 'json'] as const) {
    it(`writes odd values in ${format} as the whole-document writer`, () => {
      expect(joined(envoyTextChunks(streamedOdd, format))).toBe(formatEnvoyJson(odd, format));
      expect(joined(envoyTextChunks(new StreamedArray(0, () => 0), format))).toBe(
        formatEnvoyJson([], format),
      );
      expect(joined(envoyTextChunks(new StreamedObject([]), format))).toBe(
        formatEnvoyJson({}, format),
      );
    });
  }
});
