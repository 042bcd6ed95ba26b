// Defaults and choices the command definitions show in --help. They live here, not imported from
// the packages that own them, so that defining the commands loads nothing heavy: `egts --version`
// must not load the translators, Envoy's types or the schemas (#24). Their types tie each one to
// its owner's value, so a change there fails the typecheck here.
import type { DEFAULT_CONTROLLER_NAME as API_CONTROLLER_NAME } from '@egts/api';
import type { DEFAULT_CONTROLLER_NAMESPACE as TRANSLATOR_CONTROLLER_NAMESPACE } from '@egts/gatewayapi-translator';
import type { XdsResourceType } from '@egts/xds-translator';

export const DEFAULT_CONTROLLER_NAME: typeof API_CONTROLLER_NAME =
  'gateway.envoyproxy.io/gatewayclass-controller';

export const DEFAULT_CONTROLLER_NAMESPACE: typeof TRANSLATOR_CONTROLLER_NAMESPACE =
  'envoy-gateway-system';

/** `--type` choices: every XdsResourceType, in the order the xds-translator lists them. */
export const XDS_RESOURCE_TYPES = [
  'listener',
  'route',
  'cluster',
  'endpoint',
  'secret',
] as const satisfies readonly XdsResourceType[];

/** Fails the typecheck when XdsResourceType gains a type this list lacks. */
export type EveryXdsResourceTypeListed =
  Exclude<XdsResourceType, (typeof XDS_RESOURCE_TYPES)[number]> extends never ? true : never;
export const everyXdsResourceTypeListed: EveryXdsResourceTypeListed = true;
