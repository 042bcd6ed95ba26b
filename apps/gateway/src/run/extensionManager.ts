// Wires the EnvoyGateway `extensionManager` (@egts/extension-manager) into a running gateway:
// the TLS material its `service.tls` names comes from the Secrets the provider reads, and hook
// failures it ignores (failOpen) are logged.
import type {
  ExtensionManager as ExtensionManagerConfig,
  ProviderSnapshot,
  Resources,
} from '@egts/api';
import {
  createExtensionManager,
  type ExtensionManager,
  notAppliedSettings,
} from '@egts/extension-manager';
import type { Logger } from 'pino';
import type { Observable } from 'rxjs';

/** Envoy Gateway's namespace: where it reads the extension's TLS Secrets by default. */
const DEFAULT_NAMESPACE = 'envoy-gateway-system';

export function startExtensionManager(
  configs: readonly (ExtensionManagerConfig & { name: string })[],
  resources$: Observable<ProviderSnapshot>,
  controllerNamespace: string | undefined,
  log: Logger,
): { manager: ExtensionManager; stop(): void } {
  let latest: Resources | undefined;
  const following = resources$.subscribe((snapshot) => {
    latest = snapshot.resources;
  });
  const secretKey = (ref: { name: string; namespace?: string | undefined }, key: string) => {
    const namespace = ref.namespace ?? controllerNamespace ?? DEFAULT_NAMESPACE;
    const secret = latest?.secrets.find(
      (s) => s.metadata.name === ref.name && (s.metadata.namespace ?? 'default') === namespace,
    );
    const value = secret?.data?.[key];
    if (value === undefined)
      throw new Error(
        `extensionManager.service.tls: Secret ${namespace}/${ref.name} has no ${key}`,
      );
    return Buffer.from(value, 'base64');
  };
  const tlsOf = (config: ExtensionManagerConfig) => async () => {
    const tls = config.service.tls;
    if (tls === undefined) throw new Error('extensionManager.service.tls is not set');
    const client = tls.clientCertificateRef;
    return {
      ca: secretKey(tls.certificateRef, 'tls.crt'),
      ...(client ? { cert: secretKey(client, 'tls.crt'), key: secretKey(client, 'tls.key') } : {}),
    };
  };
  const manager = createExtensionManager(
    configs.map((config) => ({ name: config.name, config, tls: tlsOf(config) })),
    {
      onError: (failures) =>
        log.error(
          { failures },
          'extension server hooks failed; failOpen: resources sent unmodified',
        ),
    },
  );
  for (const config of configs) {
    const which = config.name === '' ? 'extensionManager' : `extensionManagers ${config.name}`;
    // Never silently: what egts reads but does not do is said at start.
    const notApplied = notAppliedSettings(config);
    if (notApplied.length > 0)
      log.warn({ notApplied }, `${which}: not applied by egts: ${notApplied.join(', ')}`);
    log.info(
      { hooks: config.hooks.xdsTranslator?.post ?? [], failOpen: config.failOpen === true },
      `${which}: extension manager configured`,
    );
  }
  return {
    manager,
    stop() {
      following.unsubscribe();
      manager.close();
    },
  };
}
