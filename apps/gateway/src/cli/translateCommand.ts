// `egts translate -f PATH|- -o status|ir|xds|all`: runs the Gateway API translator on files and
// prints the statuses (multi-document YAML, or JSON), the Infra and xDS IR, or Envoy config
// (xdsOutput.ts); `--check` fails when any resource is not accepted or has unresolved references,
// which is the CI check users embed.
// The translator, loader and Envoy types load when the command runs, not when it is defined.
import type { OutputFormat } from '@egts/gatewayapi-translator';
import { Command, Option } from 'commander';
import { DEFAULT_CONTROLLER_NAME, DEFAULT_CONTROLLER_NAMESPACE } from './defaults.js';
import { jsonArrayChunks } from './jsonStream.js';
import { loadAndTranslate } from './translateInput.js';
import { gatewayOption, isXdsOutput, type XdsCliOptions, xdsTypeOption } from './xdsOptions.js';

export interface TranslateCliOptions extends Omit<XdsCliOptions, 'output'> {
  output: 'status' | 'ir' | XdsCliOptions['output'];
  format: OutputFormat;
  controllerName: string;
  controllerNamespace: string;
  check: boolean;
  /** Translate as if the EnvoyGateway config enabled global rate limiting (`--no-global-rate-limit`). */
  globalRateLimit?: boolean;
}

export interface TranslateCliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * What `egts translate` does, without touching the process: the CLI and its tests share it. The
 * output goes to `write` piece by piece as it is made (one status, one Envoy resource), or, with
 * no `write`, is returned whole in `stdout`. A `write` that returns a promise (the stream is full)
 * is awaited before the next piece is made.
 */
export async function runTranslate(
  path: string,
  options: TranslateCliOptions,
  write?: (chunk: string) => void | Promise<void>,
): Promise<TranslateCliResult> {
  const [{ renderIR, renderStatuses }, { result, stderr, exitCode }] = await Promise.all([
    import('@egts/gatewayapi-translator'),
    loadAndTranslate(path, options),
  ]);
  let stdout = '';
  const out =
    write ??
    ((chunk: string) => {
      stdout += chunk;
    });
  const { output } = options;
  let chunks: Iterable<string>;
  if (isXdsOutput(output)) {
    const { xdsOutputChunks } = await import('./xdsOutput.js');
    chunks = xdsOutputChunks(result, { ...options, output });
  } else if (output === 'ir') chunks = [renderIR(result, options.format)];
  else if (options.format === 'json') {
    const { statuses } = result;
    chunks = jsonArrayChunks(statuses.length, (i) => statuses[i]);
  } else {
    // One status document at a time, made when the previous one is written.
    chunks = (function* () {
      for (const [i, status] of result.statuses.entries()) {
        yield `${i === 0 ? '' : '---\n'}${renderStatuses([status], 'yaml')}`;
      }
    })();
  }
  for (const chunk of chunks) {
    const full = out(chunk);
    if (full !== undefined) await full;
  }
  return { stdout, stderr, exitCode };
}

/** Writes to stdout; when its buffer is full, a promise of the moment it drains (backpressure). */
function writeStdout(chunk: string): void | Promise<void> {
  if (process.stdout.write(chunk)) return;
  return new Promise((resolve, reject) => {
    const drained = () => {
      process.stdout.off('error', failed);
      resolve();
    };
    const failed = (error: Error) => {
      process.stdout.off('drain', drained);
      reject(error);
    };
    process.stdout.once('drain', drained);
    process.stdout.once('error', failed);
  });
}

export function translateCommand(): Command {
  return new Command('translate')
    .description('translate Gateway API resources and print their statuses or the IR')
    .requiredOption(
      '-f, --filename <path>',
      'a YAML/JSON file, a directory of them, or - for stdin',
    )
    .addOption(
      new Option('-o, --output <what>', 'what to print')
        .choices(['status', 'ir', 'xds', 'all'])
        .default('status'),
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'),
    )
    .option(
      '--controller-name <name>',
      'GatewayClass controllerName to serve',
      DEFAULT_CONTROLLER_NAME,
    )
    .option(
      '--controller-namespace <namespace>',
      'namespace the proxies run in',
      DEFAULT_CONTROLLER_NAMESPACE,
    )
    .option(
      '--no-global-rate-limit',
      'translate as if the EnvoyGateway config had no rateLimit (global rules are then refused)',
    )
    .option(
      '--check',
      'exit non-zero, listing each resource that is not accepted or has unresolved refs',
      false,
    )
    .addOption(xdsTypeOption())
    .addOption(gatewayOption())
    .action(async (options: TranslateCliOptions & { filename: string }) => {
      const result = await runTranslate(options.filename, options, writeStdout);
      if (result.stderr) process.stderr.write(result.stderr);
      if (result.exitCode !== 0) process.exitCode = result.exitCode;
    });
}
