// `egts certgen`: the certificates of xDS mTLS between egts and its proxies, as Secrets in the
// cluster (re-issued before they expire) or, with --local, as files for host mode.
// @egts/certgen and the Kubernetes client load only when this command runs: every other command
// (and `egts run` above all) would otherwise carry the client's ~30 MiB of heap.
import { Command } from 'commander';
import { DEFAULT_CONTROLLER_NAMESPACE } from './defaults.js';

interface CertgenOptions {
  local?: string;
  namespace: string;
  overwrite: boolean;
  disableTopologyInjector?: boolean;
}

export function certgenCommand(): Command {
  return new Command('certgen')
    .description('create the xDS mTLS certificates as Secrets (or as files with --local)')
    .option('--local <dir>', 'write the certificates as files under this directory instead')
    .option(
      '-n, --namespace <namespace>',
      'namespace of the Secrets',
      process.env.POD_NAMESPACE ?? DEFAULT_CONTROLLER_NAMESPACE,
    )
    .option('--overwrite', 're-issue even when the current certificates are still good', false)
    .option(
      '--disable-topology-injector',
      "leave the topology injector's MutatingWebhookConfiguration alone (by default its caBundle is set to the CA bundle when it exists)",
    )
    .action(async (options: CertgenOptions) => {
      const {
        applyCertificateSecrets,
        generateCertificates,
        topologyInjectorWebhookName,
        writeCertificateFiles,
      } = await import('@egts/certgen');
      if (options.local !== undefined) {
        await writeCertificateFiles(
          generateCertificates({ namespace: options.namespace }),
          options.local,
        );
        process.stdout.write(`certificates written under ${options.local}\n`);
        return;
      }
      const { KubeConfig } = await import('@kubernetes/client-node');
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromDefault();
      const result = await applyCertificateSecrets({
        kubeConfig,
        namespace: options.namespace,
        overwrite: options.overwrite,
        ...(options.disableTopologyInjector !== true
          ? { webhookConfigurations: [topologyInjectorWebhookName(options.namespace)] }
          : {}),
      });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
}
