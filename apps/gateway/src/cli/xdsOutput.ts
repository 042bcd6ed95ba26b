// `egts translate -o xds|all`: the Envoy side of a translation. `xds` prints, per Gateway, an Envoy
// bootstrap whose static_resources hold the translated listeners, routes, clusters, endpoints and
// secrets (`envoy -c` runs it as is); `--type` prints one xDS resource type instead, as served
// over ADS. `all` prints statuses, IR and bootstraps together.
import { renderStatuses, type TranslateResult } from '@egts/gatewayapi-translator';
import {
  bootstrapToJson,
  formatEnvoyJson,
  translateBootstrap,
  translateXds,
  xdsResourcesToJson,
} from '@egts/xds-translator';
import { jsonArrayChunks } from './jsonStream.js';
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
      // Built when printed, so that one Gateway's Envoy config is garbage before the next's is made.
      value: (): unknown =>
        options.type === undefined
          ? bootstrapToJson(translateBootstrap(ir))
          : {
              gateway: ir.name,
              type: options.type,
              resources: xdsResourcesToJson(translateXds(ir), options.type),
            },
    }));

/** A YAML stream, one document per Gateway, as it is made. */
function* yamlStream(gateways: ReturnType<typeof gatewaysOf>): Generator<string> {
  for (const [i, gateway] of gateways.entries()) {
    yield `${i === 0 ? '' : '---\n'}# ${gateway.label}\n`;
    // A piece of its own: joined to the line above, the config would be copied once more.
    yield formatEnvoyJson(gateway.value(), 'yaml');
  }
}

/**
 * The output in pieces, each written as soon as it is made. YAML: one document per Gateway
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
      const all = {
        statuses: result.statuses,
        ir: { infraIR: result.infraIR, xdsIR: result.xdsIR },
        xds: gateways.map((gateway) => gateway.value()),
      };
      yield `${JSON.stringify(all, null, 2)}\n`;
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
    if (gateways.length === 1) {
      yield `${JSON.stringify(gateways[0]!.value(), null, 2)}\n`;
      return;
    }
    yield* jsonArrayChunks(gateways.length, (i) => gateways[i]!.value());
    return;
  }
  if (gateways.length === 0) {
    const known = result.xdsIR.map((ir) => ir.name).join(', ') || 'none';
    yield `# no Gateway${options.gateway === undefined ? '' : ` ${options.gateway}`} to translate (Gateways: ${known})\n`;
    return;
  }
  yield* yamlStream(gateways);
}
