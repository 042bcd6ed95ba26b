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
import type { XdsCliOptions } from './xdsOptions.js';

/** One value per Gateway: its bootstrap, or `{ gateway, type, resources }` with `--type`. */
const perGateway = (result: TranslateResult, options: XdsCliOptions): unknown[] =>
  result.xdsIR
    .filter((ir) => options.gateway === undefined || ir.name === options.gateway)
    .map((ir) =>
      options.type === undefined
        ? bootstrapToJson(translateBootstrap(ir))
        : {
            gateway: ir.name,
            type: options.type,
            resources: xdsResourcesToJson(translateXds(ir), options.type),
          },
    );

const yamlStream = (values: readonly unknown[], comment: (index: number) => string): string =>
  values.map((value, i) => `# ${comment(i)}\n${formatEnvoyJson(value, 'yaml')}`).join('---\n');

/**
 * YAML: one document per Gateway (`envoy -c` takes a single document: pick one with
 * `--gateway`). JSON: the bootstrap object for a single Gateway, else an array of them.
 */
export const renderXdsOutput = (result: TranslateResult, options: XdsCliOptions): string => {
  const values = perGateway(result, options);
  const names = result.xdsIR
    .filter((ir) => options.gateway === undefined || ir.name === options.gateway)
    .map((ir) => ir.name);
  const label = (i: number) =>
    options.type === undefined
      ? `Envoy bootstrap of ${names[i]}`
      : `${options.type} resources of ${names[i]}`;
  if (options.output === 'all') {
    if (options.format === 'json') {
      const all = {
        statuses: result.statuses,
        ir: { infraIR: result.infraIR, xdsIR: result.xdsIR },
        xds: values,
      };
      return `${JSON.stringify(all, null, 2)}\n`;
    }
    const ir = formatEnvoyJson({ infraIR: result.infraIR, xdsIR: result.xdsIR }, 'yaml');
    return [renderStatuses(result.statuses, 'yaml'), `# IR\n${ir}`, yamlStream(values, label)]
      .filter((part) => part !== '')
      .join('---\n');
  }
  if (options.format === 'json') {
    return `${JSON.stringify(values.length === 1 ? values[0] : values, null, 2)}\n`;
  }
  if (values.length === 0) {
    const known = result.xdsIR.map((ir) => ir.name).join(', ') || 'none';
    return `# no Gateway${options.gateway === undefined ? '' : ` ${options.gateway}`} to translate (Gateways: ${known})\n`;
  }
  return yamlStream(values, label);
};
