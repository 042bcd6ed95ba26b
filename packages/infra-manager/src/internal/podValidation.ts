// `envoy --mode validate` of a fleet's bootstrap as its pod reads it. The bootstrap names files of
// the pod's volumes (the ConfigMap at /config, the certificate Secret at /certs: xDS certificates
// through file-based SDS), and Envoy refuses a config whose watched paths do not exist. So the
// volumes are laid out in a temp dir, the bootstrap's paths into them point there, and Envoy
// judges the rest as it would in the pod.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ValidationResult, validateEnvoyConfig } from '@egts/envoy-binary';

/** The pod's files egts writes (ConfigMap keys under /config), by path in the pod. */
export type PodFiles = Readonly<Record<string, string>>;

const MOUNTS = ['/config', '/certs'];

/** Every path into a pod volume, in JSON text, as the same path under `root`. */
const rebase = (json: string, root: string): string =>
  MOUNTS.reduce(
    (text, mount) => text.replace(new RegExp(`"${mount}(/|")`, 'g'), `"${root}${mount}$1`),
    json,
  );

export const validateAsPod =
  (files: PodFiles) =>
  async (bootstrap: object, envoyPath: string): Promise<ValidationResult> => {
    const root = mkdtempSync(join(tmpdir(), 'egts-pod-'));
    try {
      for (const mount of MOUNTS) mkdirSync(join(root, mount));
      for (const [path, content] of Object.entries(files))
        writeFileSync(join(root, path), rebase(content, root));
      const config = JSON.parse(rebase(JSON.stringify(bootstrap), root)) as object;
      return await validateEnvoyConfig(config, { envoyPath });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
