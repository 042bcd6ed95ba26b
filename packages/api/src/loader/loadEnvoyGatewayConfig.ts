// Reads egts's static configuration (kind EnvoyGateway); no text means Envoy Gateway's defaults.
// Read as resources are (JSON.parse or js-yaml, the YAML library only where they fall short), so
// a server start does not load the YAML library for its configuration (issue #24).
import { type EnvoyGateway, envoyGatewaySchema } from '../envoyGateway.js';
import type { Problem } from './problem.js';
import { readDocuments } from './readDocuments.js';

export interface EnvoyGatewayConfigResult {
  config?: EnvoyGateway | undefined;
  problems: Problem[];
}

const defaults = { apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'EnvoyGateway' };

export function loadEnvoyGatewayConfig(
  text: string | undefined,
  file: string,
): EnvoyGatewayConfigResult {
  const documents = text === undefined ? [] : readDocuments(text);
  const errors = documents.flatMap((doc) => doc.errors ?? []);
  if (errors.length > 0) {
    return {
      problems: errors.map((error) => ({
        severity: 'error',
        file,
        line: error.line,
        path: [],
        message: error.message,
      })),
    };
  }
  const present = documents.filter((doc) => doc.value !== undefined && doc.value !== null);
  if (present.length > 1) {
    return {
      problems: [
        {
          severity: 'error',
          file,
          path: [],
          message: `${present.length} documents: the configuration is one EnvoyGateway document`,
        },
      ],
    };
  }
  const [doc] = present;
  const parsed = envoyGatewaySchema.safeParse(doc?.value ?? defaults);
  if (parsed.success) return { config: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((issue) => {
      const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
      return {
        severity: 'error',
        file,
        line: doc?.lineOf(path),
        kind: 'EnvoyGateway',
        path,
        message: issue.message.replace(/^Invalid input: /, ''),
      };
    }),
  };
}
