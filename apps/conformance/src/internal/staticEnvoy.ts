// A real Envoy on one translated Gateway's static bootstrap (listeners, routes and clusters
// inline, no control plane): the shortest way to prove through Envoy what a setting does.
import { loadResourcesFromText, type ResourceStatus } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';

export interface StaticEnvoy {
  envoy: EnvoyHandle;
  /** Every resource's status from the same translation. */
  statuses: ResourceStatus[];
}

/** Translates the manifests in `text` (named `file` in errors) and starts Envoy on the first Gateway, ready. */
export async function startStaticEnvoy(text: string, file: string): Promise<StaticEnvoy> {
  const { resources, problems } = loadResourcesFromText(text, file);
  if (problems.length > 0) throw new Error(`${file}: ${JSON.stringify(problems)}`);
  const result = translate(resources);
  const ir = result.xdsIR[0];
  if (ir === undefined) throw new Error(`${file}: no Gateway translated`);
  const envoy = startEnvoy({
    config: bootstrapToJson(translateBootstrap(ir)) as object,
    logLevel: 'warn',
  });
  await envoy.ready(60_000);
  return { envoy, statuses: result.statuses };
}
