// What `egts translate -o xds` prints, written resource by resource (envoyTextChunks), against the
// whole-document writers it replaced (formatEnvoyJson of bootstrapToJson): byte for byte, in YAML
// and JSON, for each Gateway's bootstrap and each xDS resource type.
import { loadResourcesFromText } from '@egts/api';
import { translate } from '@egts/gatewayapi-translator';
import {
  bootstrapToJson,
  envoyTextChunks,
  formatEnvoyJson,
  StreamedObject,
  streamedBootstrap,
  streamedXdsResources,
  translateBootstrap,
  translateXds,
  XDS_RESOURCE_TYPES,
  xdsResourcesToJson,
} from '@egts/xds-translator';
import { expect } from 'vitest';
import { allObjects, type Scenario, toText } from '../scenarios.js';

const joined = (chunks: Iterable<string>) => [...chunks].join('');

/** Checks every Gateway of the scenario; returns how many bytes were compared. */
export function expectStreamedAsWhole(scenario: Scenario): number {
  const { resources } = loadResourcesFromText(toText(allObjects(scenario)));
  const { xdsIR } = translate(resources);
  expect(xdsIR.length).toBeGreaterThan(0);
  let bytes = 0;
  for (const ir of xdsIR) {
    const bootstrap = translateBootstrap(ir);
    const xds = translateXds(ir);
    for (const format of ['yaml', 'json'] as const) {
      const whole = formatEnvoyJson(bootstrapToJson(bootstrap), format);
      expect(joined(envoyTextChunks(streamedBootstrap(bootstrap), format))).toBe(whole);
      bytes += whole.length;
      for (const type of XDS_RESOURCE_TYPES) {
        const value = { gateway: ir.name, type, resources: xdsResourcesToJson(xds, type) };
        const streamed = new StreamedObject([
          ['gateway', ir.name],
          ['type', type],
          ['resources', streamedXdsResources(xds, type)],
        ]);
        expect(joined(envoyTextChunks(streamed, format))).toBe(formatEnvoyJson(value, format));
      }
    }
  }
  return bytes;
}
