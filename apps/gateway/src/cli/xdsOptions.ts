// The options of `egts translate -o xds|all`, apart from the rendering (xdsOutput.ts) so that
// defining the command loads no Envoy types.
import type { OutputFormat } from '@egts/gatewayapi-translator';
import type { XdsResourceType } from '@egts/xds-translator';
import { Option } from 'commander';
import { XDS_RESOURCE_TYPES } from './defaults.js';

export const XDS_OUTPUTS = ['xds', 'all'] as const;
export type XdsOutput = (typeof XDS_OUTPUTS)[number];

export interface XdsCliOptions {
  output: XdsOutput;
  format: OutputFormat;
  /** Print only this resource type (ADS form) instead of bootstraps. */
  type?: XdsResourceType;
  /** Only this Gateway's fleet, `<namespace>/<name>`. */
  gateway?: string;
}

export const isXdsOutput = (output: string): output is XdsOutput =>
  (XDS_OUTPUTS as readonly string[]).includes(output);

/** `--type`: with -o xds, one xDS resource type instead of bootstraps. */
export const xdsTypeOption = (): Option =>
  new Option(
    '--type <type>',
    'with -o xds: only this xDS resource type, as the xDS server serves it',
  ).choices(XDS_RESOURCE_TYPES);

/** `--gateway`: with -o xds|all, one Gateway's output only. */
export const gatewayOption = (): Option =>
  new Option('--gateway <namespace/name>', 'with -o xds|all: only this Gateway');
