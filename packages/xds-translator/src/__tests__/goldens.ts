// Golden cases of testdata/: `<case>.in.yaml` is xDS IR (one document per fleet) or Gateway API
// resources (translated by @egts/gatewayapi-translator first); `<case>.out.yaml` is the runnable
// bootstrap of each fleet, what `egts translate -o xds` prints.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadResourcesFromText } from '@egts/api';
import { translate } from '@egts/gatewayapi-translator';
import { type XdsIR, XdsIRSchema } from '@egts/ir';
import { parseAllDocuments } from 'yaml';
import { bootstrapToJson, formatEnvoyJson, translateBootstrap } from '../index.js';

export const TESTDATA = fileURLToPath(new URL('../../testdata/', import.meta.url));

/** Certificates in testdata are checked against this instant, so goldens never age. */
const NOW = new Date('2027-01-01T00:00:00Z');

export const goldenCases = (): string[] =>
  readdirSync(TESTDATA)
    .filter((file) => file.endsWith('.in.yaml'))
    .map((file) => file.slice(0, -'.in.yaml'.length))
    .sort();

/** The xDS IR of a case: parsed (and checked) IR, or the translation of Gateway API input. */
export const caseIR = async (name: string): Promise<XdsIR[]> => {
  const file = join(TESTDATA, `${name}.in.yaml`);
  const text = readFileSync(file, 'utf8');
  const docs = parseAllDocuments(text).map((doc) => doc.toJS() as Record<string, unknown>);
  if (docs.some((doc) => typeof doc.kind === 'string')) {
    const { resources } = await loadResourcesFromText(text, file, { lenient: true });
    return translate(resources, { now: NOW }).xdsIR;
  }
  return docs.map((doc) => XdsIRSchema.parse(doc));
};

/** The golden text for a list of fleets: one bootstrap document per fleet. */
export const renderBootstraps = (irs: readonly XdsIR[]): string =>
  irs
    .map(
      (ir) =>
        `# Envoy bootstrap of ${ir.name}\n${formatEnvoyJson(bootstrapToJson(translateBootstrap(ir)), 'yaml')}`,
    )
    .join('---\n');
