// `egts server --config envoy-gateway.yaml`: Envoy Gateway's static configuration (kind
// EnvoyGateway). A missing file means Envoy Gateway's defaults. What runs for each provider is in
// serverProviders.ts.
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { parseAddress } from './address.js';
import { parseDurationMs } from './duration.js';
import type { ServerOptions } from './serverSettings.js';

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
      '--topology-injector-address <host:port>',
      'where the topology injector (the webhook on pods/binding) listens (Kubernetes provider with --xds-tls-dir; default the xDS host, port 9443)',
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
        { closeOnSignals },
        { startConfigServer, startFiles, startKubernetes },
      ] = await Promise.all([
        import('@egts/api'),
        import('../logging.js'),
        import('../run/hostGateway.js'),
        import('./serverProviders.js'),
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
      const start =
        provider.type === 'Kubernetes'
          ? startKubernetes
          : provider.custom?.resource?.type === 'ConfigServer'
            ? startConfigServer
            : startFiles;
      const started = await start(config, options, logging);
      if ('error' in started) {
        process.stderr.write(`error: ${started.error}\n`);
        process.exitCode = 1;
        return;
      }
      closeOnSignals(started, logging);
    });
}
