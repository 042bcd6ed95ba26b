// Where the Helm chart lives and how a generated CRD is written into it.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

/** packages/install/chart/egts */
export const chartDir = (): string =>
  resolve(dirname(fileURLToPath(import.meta.url)), '..', 'chart', 'egts');

export const crdFileName = (crd: Record<string, unknown>): string =>
  join(chartDir(), 'crds', `${String((crd.metadata as { name: string }).name)}.yaml`);

/** One CRD as YAML, with a header saying it is generated and how to regenerate it. */
export const renderCrdFile = (crd: Record<string, unknown>): string =>
  `# Generated from @egts/api's schemas by \`pnpm --filter @egts/install gen\`; do not edit.\n${stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false })}`;
