// `egts server --config envoy-gateway.yaml`: Envoy Gateway's static configuration (kind
// EnvoyGateway). A missing file means Envoy Gateway's defaults. Custom resource providers: File, and
// ConfigServer (an egts addition: @egts/provider-config-server); and the Kubernetes provider.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WatchMode } from '@egts/provider-kubernetes';
import type { KubeConfig } from '@kubernetes/client-node';
import { Command } from 'commander';
import { type Address, parseAddress } from './address.js';
import { DEFAULT_CONTROLLER_NAMESPACE } from './defaults.js';
import { parseDurationMs } from './duration.js';

interface ServerOptions {
  config: string;
  xdsAddress: Address;
  xdsTlsDir?: string;
  xdsServiceAddress?: Address;
  certValidity?: number;
  caValidity?: number;
  certPropagation?: number;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function serverCommand(): Command {
  return new Command('server')
    .description('run the control plane from a static configuration (kind EnvoyGateway)')
    .option('-c, --config <path>', 'the EnvoyGateway configuration file', 'envoy-gateway.yaml')
    .option('--xds-address <host:port>', 'where the xDS server listens', parseAddress, {
      host: '127.0.0.1',
      port: 18000,
    })
    .option(
      '--xds-tls-dir <dir>',
      'serve xDS over mTLS with tls.crt, tls.key and ca.crt from this directory (the envoy-gateway Secret egts certgen makes); Kubernetes provider',
    )
    .option(
      '--xds-service-address <host:port>',
      'where proxies reach the xDS server (Kubernetes provider; default the envoy-gateway Service in POD_NAMESPACE, at the xDS port)',
      parseAddress,
    )
    .option(
      '--cert-validity <duration>',
      'lifetime of the xDS certificates the leader re-issues, renewed with a third left (Kubernetes provider with --xds-tls-dir; default 720h)',
      parseDurationMs,
    )
    .option(
      '--ca-validity <duration>',
      'lifetime of the xDS CA, replaced with overlap with a third left (default 8760h)',
      parseDurationMs,
    )
    .option(
      '--cert-propagation <duration>',
      'how long a Secret update takes to reach every pod that mounts it (default 5m)',
      parseDurationMs,
    )
    .action(async (options: ServerOptions) => {
      // What the server runs loads when it starts, not when the command is defined.
      const [
        { formatProblem, loadEnvoyGatewayConfig },
        { createLogging },
        { runConfigServerGateway },
        { closeOnSignals, runHostGateway },
      ] = await Promise.all([
        import('@egts/api'),
        import('../logging.js'),
        import('../run/configServerGateway.js'),
        import('../run/hostGateway.js'),
      ]);
      const text = await readIfPresent(options.config);
      const { config, problems } = loadEnvoyGatewayConfig(text, options.config);
      if (!config) {
        for (const problem of problems) process.stderr.write(`${formatProblem(problem)}\n`);
        process.exitCode = 1;
        return;
      }
      const logging = createLogging(config.logging.level);
      if (text === undefined)
        logging.root.info({ config: options.config }, 'no configuration file: using defaults');
      const { provider } = config;
      const resource = provider.custom?.resource;
      const host = {
        xds: options.xdsAddress,
        admin: config.admin.address,
        controllerName: config.gateway.controllerName,
        // Envoy Gateway's defaults: EnvoyPatchPolicy off unless the configuration enables it.
        extensionApis: config.extensionApis ?? {},
        withoutProxies: provider.custom?.infrastructure?.type !== 'Host',
        logging,
      };
      if (provider.type === 'Custom' && resource?.type === 'ConfigServer') {
        const settings = resource.configServer;
        if (settings === undefined) {
          process.stderr.write(
            `error: ${options.config}: provider.custom.resource.configServer is required with type ConfigServer\n`,
          );
          process.exitCode = 1;
          return;
        }
        const { tls, allowAnonymous, ...rest } = settings;
        const gateway = await runConfigServerGateway(
          {
            ...rest,
            tls: tls && {
              certFile: tls.certFile,
              keyFile: tls.keyFile,
              clientCaFile: tls.clientCAFile,
            },
            anonymous: allowAnonymous,
          },
          host,
        );
        closeOnSignals(gateway, logging);
        return;
      }
      if (provider.type === 'Kubernetes') {
        const dir = options.xdsTlsDir;
        const tls =
          dir === undefined
            ? undefined
            : {
                certFile: join(dir, 'tls.crt'),
                keyFile: join(dir, 'tls.key'),
                caFile: join(dir, 'ca.crt'),
              };
        // Loaded only in Kubernetes mode: the client costs ~30 MiB of heap that File and
        // ConfigServer modes never use.
        const [{ KubeConfig }, { runKubernetesGateway }] = await Promise.all([
          import('@kubernetes/client-node'),
          import('../run/kubernetesGateway.js'),
        ]);
        const settings = kubernetesSettings(new KubeConfig(), provider.kubernetes?.watch);
        const gateway = await runKubernetesGateway({
          ...settings,
          xdsService: options.xdsServiceAddress ?? {
            host: settings.xdsServiceHost,
            port: options.xdsAddress.port,
          },
          certificates: {
            ...(options.certValidity === undefined ? {} : { validityMs: options.certValidity }),
            ...(options.caValidity === undefined ? {} : { caValidityMs: options.caValidity }),
            ...(options.certPropagation === undefined
              ? {}
              : { propagationMs: options.certPropagation }),
          },
          controllerName: config.gateway.controllerName,
          extensionApis: config.extensionApis ?? {},
          xds: { ...options.xdsAddress, tls },
          admin: config.admin.address,
          logging,
        });
        closeOnSignals(gateway, logging);
        return;
      }
      if (options.xdsTlsDir !== undefined) {
        process.stderr.write('error: --xds-tls-dir goes with the Kubernetes provider\n');
        process.exitCode = 1;
        return;
      }
      const file = resource?.file;
      if (file === undefined) {
        process.stderr.write(
          `error: ${options.config}: provider.custom.resource: a File (file.paths) or ConfigServer resource provider is required\n`,
        );
        process.exitCode = 1;
        return;
      }
      const gateway = await runHostGateway({ ...host, paths: file.paths });
      closeOnSignals(gateway, logging);
    });
}

/**
 * Where and how egts runs in a cluster: the kubeconfig (in-cluster service account, else
 * KUBECONFIG or ~/.kube/config), its namespace (POD_NAMESPACE, as Envoy Gateway's chart sets it)
 * and what it watches (EnvoyGateway provider.kubernetes.watch).
 */
function kubernetesSettings(
  kubeConfig: KubeConfig,
  watch:
    | {
        type: string;
        namespaces?: string[] | undefined;
        namespaceSelector?: Record<string, unknown> | undefined;
      }
    | undefined,
) {
  kubeConfig.loadFromDefault();
  const namespace = process.env.POD_NAMESPACE ?? DEFAULT_CONTROLLER_NAMESPACE;
  return {
    kubeConfig,
    namespace,
    watch: watchMode(watch),
    // The egts Service that the chart installs in its namespace.
    xdsServiceHost: `envoy-gateway.${namespace}.svc.cluster.local`,
  };
}

function watchMode(watch: Parameters<typeof kubernetesSettings>[1]): WatchMode {
  if (watch?.type === 'Namespaces')
    return { type: 'namespaces', namespaces: watch.namespaces ?? [] };
  if (watch?.type === 'NamespaceSelector') {
    return { type: 'namespaceSelector', selector: labelSelector(watch.namespaceSelector ?? {}) };
  }
  return { type: 'all' };
}

interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** A metav1.LabelSelector as the API server's label selector string (`a=b,c in (d,e),!f`). */
function labelSelector(selector: Record<string, unknown>): string {
  const labels = (selector.matchLabels ?? {}) as Record<string, string>;
  const expressions = (selector.matchExpressions ?? []) as LabelSelectorRequirement[];
  const terms = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  for (const { key, operator, values = [] } of expressions) {
    if (operator === 'In') terms.push(`${key} in (${values.join(',')})`);
    else if (operator === 'NotIn') terms.push(`${key} notin (${values.join(',')})`);
    else if (operator === 'Exists') terms.push(key);
    else terms.push(`!${key}`);
  }
  return terms.join(',');
}
