// Reads egts's static configuration (kind EnvoyGateway); no text means Envoy Gateway's defaults.
import { type EnvoyGateway, envoyGatewaySchema } from '../envoyGateway.js';
import { yamlLibrary } from '../yaml/yamlLibrary.js';
import type { Problem } from './problem.js';

export interface EnvoyGatewayConfigResult {
  config?: EnvoyGateway | undefined;
  problems: Problem[];
}

const defaults = { apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'EnvoyGateway' };

export function loadEnvoyGatewayConfig(
  text: string | undefined,
  file: string,
): EnvoyGatewayConfigResult {
  const doc = text === undefined ? undefined : yamlLibrary().parseDocument(text);
  if (doc && doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        severity: 'error',
        file,
        path: [],
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const value: unknown = doc?.toJS() ?? defaults;
  const parsed = envoyGatewaySchema.safeParse(value);
  if (parsed.success) return { config: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((issue) => ({
      severity: 'error',
      file,
      kind: 'EnvoyGateway',
      path: issue.path.map((p) => (typeof p === 'number' ? p : String(p))),
      message: issue.message.replace(/^Invalid input: /, ''),
    })),
  };
}
