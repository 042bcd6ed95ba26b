// xDS certificates rotated by the leader only (two writers would race), and continuously: the
// chart's certgen Job runs only at install and upgrade.
import {
  type CertificateRotation,
  type CertificateRotationOptions,
  startCertificateRotation,
} from '@egts/certgen';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Observable } from 'rxjs';

export function rotateCertificatesWhileLeading(
  isLeader$: Observable<boolean>,
  options: Pick<
    CertificateRotationOptions,
    'validityMs' | 'caValidityMs' | 'propagationMs' | 'maxIntervalMs'
  > & { kubeConfig: KubeConfig; namespace: string },
  log: Logger,
  /** Called after the Secrets changed (the rate limit service rolls out to read them). */
  onRotated?: (notAfter: Date) => void,
): { stop(): Promise<void> } {
  let rotation: CertificateRotation | undefined;
  const rotating = isLeader$.subscribe((isLeader) => {
    if (isLeader && rotation === undefined) {
      rotation = startCertificateRotation({
        ...options,
        onRotated: (result) => {
          log.info(result, 'xDS certificates rotated');
          onRotated?.(result.notAfter);
        },
        onError: (error) => log.error({ err: error }, 'xDS certificate rotation failed'),
      });
    } else if (!isLeader && rotation !== undefined) {
      void rotation.stop();
      rotation = undefined;
    }
  });
  return {
    async stop() {
      rotating.unsubscribe();
      await rotation?.stop();
    },
  };
}
