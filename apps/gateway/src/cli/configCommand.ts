// `egts config proxy GATEWAY [-n NAMESPACE]`: the configuration the Gateway's Envoy holds, read
// from that proxy's own admin endpoint (`/config_dump`,
// https://www.envoyproxy.io/docs/envoy/latest/operations/admin#get--config_dump), found through the
// running egts's admin /proxies. Shaped after Envoy Gateway's `egctl config envoy-proxy`.
import { Command, Option } from 'commander';
import type { Address } from './address.js';
import { adminAddressOption, formatAddress, getJson } from './adminClient.js';

/** Which part of the dump to print: the config_dump entries of that type. */
const SECTIONS = {
  all: undefined,
  bootstrap: 'BootstrapConfigDump',
  listener: 'ListenersConfigDump',
  route: 'RoutesConfigDump',
  cluster: 'ClustersConfigDump',
  endpoint: 'EndpointsConfigDump',
  secret: 'SecretsConfigDump',
} as const;
type Section = keyof typeof SECTIONS;

export interface ConfigProxyOptions {
  namespace: string;
  type: Section;
  adminAddress: Address;
  /** The proxy's own admin `host:port`, when egts runs none locally (Kubernetes: a port-forward). */
  proxyAdmin?: string | undefined;
}

interface LocalProxy {
  name: string;
  adminAddress: string;
  state: string;
}

/** The admin address of the proxy that serves a Gateway (`ns/name`, or a merged fleet's name). */
async function proxyAdminOf(gateway: string, options: ConfigProxyOptions): Promise<string> {
  if (options.proxyAdmin) return options.proxyAdmin;
  const proxies = (await getJson(options.adminAddress, '/proxies')) as LocalProxy[];
  // Infra IR names a fleet `<namespace>/<gateway>`, or after its GatewayClass when the EnvoyProxy
  // merges Gateways; take either.
  const name = gateway.includes('/') ? gateway : `${options.namespace}/${gateway}`;
  const found = proxies.find((p) => p.name === name) ?? proxies.find((p) => p.name === gateway);
  if (found) return found.adminAddress;
  const known = proxies.map((p) => p.name).join(', ');
  throw new Error(
    known
      ? `no proxy for Gateway ${name} at ${formatAddress(options.adminAddress)}; its proxies: ${known}`
      : `the egts at ${formatAddress(options.adminAddress)} runs no local proxy (Kubernetes mode runs them in pods): ` +
          'forward the Envoy pod admin port (kubectl port-forward POD 19000) and pass --proxy-admin 127.0.0.1:19000',
  );
}

/** What `egts config proxy` prints: the proxy's config dump, whole or one section, as JSON. */
export async function runConfigProxy(
  gateway: string,
  options: ConfigProxyOptions,
): Promise<string> {
  const admin = await proxyAdminOf(gateway, options);
  // EDS is left out of a config dump unless asked for.
  const withEds = options.type === 'all' || options.type === 'endpoint';
  const dump = (await getJson(admin, `/config_dump${withEds ? '?include_eds' : ''}`)) as {
    configs: Array<{ '@type': string }>;
  };
  const wanted = SECTIONS[options.type];
  const configs =
    wanted === undefined
      ? dump.configs
      : dump.configs.filter((c) => c['@type'].endsWith(`.${wanted}`));
  return `${JSON.stringify({ configs }, null, 2)}\n`;
}

export function configCommand(): Command {
  const proxy = new Command('proxy')
    .description("print the configuration a Gateway's Envoy proxy holds, from its admin endpoint")
    .argument('<gateway>', 'the Gateway (or namespace/name, or the fleet name of merged Gateways)')
    .option('-n, --namespace <namespace>', "the Gateway's namespace", 'default')
    .addOption(
      new Option('-t, --type <section>', 'which part of the configuration')
        .choices(Object.keys(SECTIONS))
        .default('all'),
    )
    .option(...adminAddressOption)
    .option('--proxy-admin <host:port>', "the proxy's own admin address, instead of asking egts")
    .action(async (gateway: string, options: ConfigProxyOptions, command: Command) => {
      const text = await runConfigProxy(gateway, options).catch((error: Error) =>
        command.error(`error: ${error.message}`),
      );
      process.stdout.write(text);
    });
  return new Command('config').description('configuration of running parts').addCommand(proxy);
}
