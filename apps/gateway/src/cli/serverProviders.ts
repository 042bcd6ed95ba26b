// What `egts server` starts for each resource provider of the EnvoyGateway configuration:
// ConfigServer (an egts addition: @egts/provider-config-server), Kubernetes, or File (host mode).
// Each loads its runner when called, so a mode never pays for another's dependencies.
import { join } from 'node:path';
import { extensionManagerOf, extensionManagersOf } from '@egts/api';
import type { Logging } from '../logging.js';
import type { RunningGateway } from '../run/gatewayOptions.js';
import {
  configProblem,
  type EnvoyGatewayConfig,
  hostSettings,
  rateLimitSettings,
  type ServerOptions,
} from './serverSettings.js';
import { telemetrySettings } from './telemetrySettings.js';

/** A running gateway, or the error that stopped it from starting (for stderr). */
export type Started = RunningGateway | { error: string };

export async function startConfigServer(
  config: EnvoyGatewayConfig,
  options: ServerOptions,
  logging: Logging,
): Promise<Started> {
  const problem = configProblem(config, options);
  if (problem) return { error: problem };
  const settings = config.provider.custom?.resource?.configServer;
  if (settings === undefined) {
    return {
      error: `${options.config}: provider.custom.resource.configServer is required with type ConfigServer`,
    };
  }
  const { runConfigServerGateway } = await import('../run/configServerGateway.js');
  const { tls, allowAnonymous, ...rest } = settings;
  return runConfigServerGateway(
    {
      ...rest,
      tls: tls && { certFile: tls.certFile, keyFile: tls.keyFile, clientCaFile: tls.clientCAFile },
      anonymous: allowAnonymous,
    },
    hostSettings(config, options, logging),
  );
}

export async function startKubernetes(
  config: EnvoyGatewayConfig,
  options: ServerOptions,
  logging: Logging,
): Promise<Started> {
  const problem = configProblem(config, options);
  if (problem) return { error: problem };
  const dir = options.xdsTlsDir;
  const tls =
    dir === undefined
      ? undefined
      : {
          certFile: join(dir, 'tls.crt'),
          keyFile: join(dir, 'tls.key'),
          caFile: join(dir, 'ca.crt'),
        };
  // Loaded only in Kubernetes mode: the client costs ~30 MiB of heap that File and ConfigServer
  // modes never use.
  const [{ KubeConfig }, { runKubernetesGateway }, { kubernetesSettings }] = await Promise.all([
    import('@kubernetes/client-node'),
    import('../run/kubernetesGateway.js'),
    import('./kubernetesSettings.js'),
  ]);
  const settings = kubernetesSettings(new KubeConfig(), config.provider.kubernetes?.watch);
  return runKubernetesGateway({
    ...settings,
    xdsService: options.xdsServiceAddress ?? {
      host: settings.xdsServiceHost,
      port: options.xdsAddress.port,
    },
    certificates: {
      ...(options.certValidity === undefined ? {} : { validityMs: options.certValidity }),
      ...(options.caValidity === undefined ? {} : { caValidityMs: options.caValidity }),
      ...(options.certPropagation === undefined ? {} : { propagationMs: options.certPropagation }),
    },
    controllerName: config.gateway.controllerName,
    extensionApis: config.extensionApis ?? {},
    extensionManager: extensionManagerOf(config),
    extensionManagers: extensionManagersOf(config),
    rateLimit: rateLimitSettings(config),
    xds: { ...options.xdsAddress, tls },
    admin: config.admin.address,
    // A pod's metrics are scraped from outside it: every address, as Envoy Gateway listens.
    telemetry: telemetrySettings(config, '0.0.0.0'),
    topologyInjector: {
      ...config.provider.kubernetes?.topologyInjector,
      ...(options.topologyInjectorAddress === undefined
        ? {}
        : { address: options.topologyInjectorAddress }),
    },
    logging,
  });
}

export async function startFiles(
  config: EnvoyGatewayConfig,
  options: ServerOptions,
  logging: Logging,
): Promise<Started> {
  if (options.xdsTlsDir !== undefined) {
    return { error: '--xds-tls-dir goes with the Kubernetes provider' };
  }
  const problem = configProblem(config, options);
  if (problem) return { error: problem };
  const file = config.provider.custom?.resource?.file;
  if (file === undefined) {
    return {
      error: `${options.config}: provider.custom.resource: a File (file.paths) or ConfigServer resource provider is required`,
    };
  }
  const { runHostGateway } = await import('../run/hostGateway.js');
  return runHostGateway({ ...hostSettings(config, options, logging), paths: file.paths });
}
