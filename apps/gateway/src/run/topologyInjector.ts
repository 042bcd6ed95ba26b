// The topology injector in `egts server` (Kubernetes mode): every replica serves it, as the egts
// Service may route the API server's call to any; it needs the xDS server certificate (the
// `envoy-gateway` Secret, whose names are that Service's), so it runs only with xDS over mTLS.
import {
  apiServerLookup,
  createTopologyInjector,
  TOPOLOGY_INJECTOR_PORT,
  type TopologyInjector,
} from '@egts/infra-manager';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export async function startTopologyInjector(
  options: {
    kubeConfig: KubeConfig;
    xds: { host: string; tls?: { certFile: string; keyFile: string } | undefined };
    topologyInjector?:
      | { disable?: boolean | undefined; address?: { host: string; port: number } }
      | undefined;
  },
  log: Logger,
): Promise<TopologyInjector | undefined> {
  if (options.topologyInjector?.disable === true) {
    log.info('topology injector disabled: proxy pods read their zone from the API server label');
    return undefined;
  }
  if (options.xds.tls === undefined) {
    log.warn(
      'topology injector not started: it serves with the xDS certificate (--xds-tls-dir); proxy pods read their zone from the API server label (PodTopologyLabelsAdmission)',
    );
    return undefined;
  }
  const injector = createTopologyInjector({
    lookup: apiServerLookup(options.kubeConfig),
    tls: options.xds.tls,
    host: options.topologyInjector?.address?.host ?? options.xds.host,
    port: options.topologyInjector?.address?.port ?? TOPOLOGY_INJECTOR_PORT,
    onOutcome: (outcome) => {
      if (outcome.type === 'failed') log.warn({ outcome }, 'topology injection failed');
      else log.debug({ outcome }, `topology injection ${outcome.type}`);
    },
  });
  try {
    const port = await injector.listen();
    log.info({ port }, 'topology injector serving');
    return injector;
  } catch (error) {
    // The rest of egts serves on: proxy pods then get no zone from it (failurePolicy Ignore).
    log.error({ err: error }, 'topology injector could not listen; proxy pods get no zone from it');
    await injector.close();
    return undefined;
  }
}
