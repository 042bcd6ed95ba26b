// `egts translate -o xds|all`: the Envoy side of a translation. `xds` prints, per Gateway, an Envoy
// bootstrap whose static_resources hold the translated listeners, routes, clusters, endpoints and
// secrets (`envoy -c` runs it as is); `--type` prints one xDS resource type instead, as served
// over ADS. `all` prints statuses, IR and bootstraps together.
import { renderStatuses, type TranslateResult } from '@egts/gatewayapi-translator';
import {
  envoyTextChunks,
  formatEnvoyJson,
  StreamedArray,
  StreamedObject,
  streamedBootstrap,
  streamedXdsResources,
  translateBootstrap,
  translateXds,
} from '@egts/xds-translator';
import type { XdsCliOptions } from './xdsOptions.js';

/** The Gateways printed, each with its value: its bootstrap, or `{ gateway, type, resources }` with `--type`. */
const gatewaysOf = (result: TranslateResult, options: XdsCliOptions) =>
  result.xdsIR
    .filter((ir) => options.gateway === undefined || ir.name === options.gateway)
    .map((ir) => ({
      label:
        options.type === undefined
          ? `Envoy bootstrap of ${ir.name}`
          : `${options.type} resources of ${ir.name}`,
      // Built when printed, so that one Gateway's Envoy config is garbage before the next's is
      // made; and written resource by resource, each made into proto3 JSON and text on its own.
      value: (): StreamedObject =>
        options.type === undefined
          ? streamedBootstrap(translateBootstrap(ir))
          : new StreamedObject([
              ['gateway', ir.name],
              ['type', options.type],
              ['resources', streamedXdsResources(translateXds(ir), options.type)],
            ]),
    }));

/** A YAML stream, one document per Gateway, as it is made. */
function* yamlStream(gateways: ReturnType<typeof gatewaysOf>): Generator<string> {
  for (const [i, gateway] of gateways.entries()) {
    yield `${i === 0 ? '' : '---\n'}# ${gateway.label}\n`;
    yield* envoyTextChunks(gateway.value(), 'yaml');
  }
}

/**
 * The output in pieces, each written as soon as it is made (each Envoy resource on its own). YAML: one document per Gateway
 * (`envoy -c` takes a single document: pick one with `--gateway`). JSON: the bootstrap object for
 * a single Gateway, else an array of them.
 */
export function* xdsOutputChunks(
  result: TranslateResult,
  options: XdsCliOptions,
): Generator<string> {
  const gateways = gatewaysOf(result, options);
  if (options.output === 'all') {
    if (options.format === 'json') {
      const { statuses } = result;
      const all = new StreamedObject([
        ['statuses', new StreamedArray(statuses.length, (i) => statuses[i])],
        ['ir', { infraIR: result.infraIR, xdsIR: result.xdsIR }],
        ['xds', new StreamedArray(gateways.length, (i) => gateways[i]!.value())],
      ]);
      yield* envoyTextChunks(all, 'json');
      return;
    }
    const statuses = renderStatuses(result.statuses, 'yaml');
    if (statuses !== '') yield `${statuses}---\n`;
    yield `# IR\n${formatEnvoyJson({ infraIR: result.infraIR, xdsIR: result.xdsIR }, 'yaml')}`;
    if (gateways.length > 0) yield '---\n';
    yield* yamlStream(gateways);
    return;
  }
  if (options.format === 'json') {
    yield* envoyTextChunks(
      gateways.length === 1
        ? gateways[0]!.value()
        : new StreamedArray(gateways.length, (i) => gateways[i]!.value()),
      'json',
    );
    return;
  }
  if (gateways.length === 0) {
    const known = result.xdsIR.map((ir) => ir.name).join(', ') || 'none';
    yield `# no Gateway${options.gateway === undefined ? '' : ` ${options.gateway}`} to translate (Gateways: ${known})\n`;
    return;
  }
  yield* yamlStream(gateways);
}
