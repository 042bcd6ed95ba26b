// `egts translate -f PATH|- -o status|ir|xds|all`: runs the Gateway API translator on files and
// prints the statuses (multi-document YAML, or JSON), the Infra and xDS IR, or Envoy config
// (xdsOutput.ts); `--check` fails when any resource is not accepted or has unresolved references,
// which is the CI check users embed.
// The translator, loader and Envoy types load when the command runs, not when it is defined.
import type { OutputFormat, TranslateResult } from '@egts/gatewayapi-translator';
import { Command, Option } from 'commander';
import { DEFAULT_CONTROLLER_NAME, DEFAULT_CONTROLLER_NAMESPACE } from './defaults.js';
import { jsonArrayChunks } from './jsonStream.js';
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
 * The input loaded and translated, with the `--check` verdict. The loaded resources are garbage
 * once this returns, and so are the statuses when only the xDS IR is printed: at 5,000 routes,
 * the Envoy config built next is what sets the peak memory.
 */
async function loadAndTranslate(path: string, options: TranslateCliOptions) {
  const [
    { loadInput },
    { formatProblem, refusedStatuses, refuses },
    {
      discoverOidcProviders,
      formatStatusProblem,
      inClusterRateLimitService,
      oidcIssuers,
      statusProblems,
      translate,
    },
  ] = await Promise.all([
    import('./readInput.js'),
    import('@egts/api'),
    import('@egts/gatewayapi-translator'),
  ]);
  // A resource the API server would refuse (it breaks its CRD's schema) is refused here too:
  // reported, not translated, as it would be in Kubernetes.
  const { resources, problems } = await loadInput(path);
  const errors = problems.filter((p) => p.severity === 'error');
  // Unknown fields are errors too, but their resources are translated without them (pruned).
  const refusing = errors.filter(refuses).length;
  const pruned = errors.length - refusing;
  const summary = [
    ...(refusing > 0
      ? [`${refusing} problem(s) in the input: what they name is not translated`]
      : []),
    ...(pruned > 0 ? [`${pruned} unknown field(s): left out, as the API server prunes them`] : []),
  ];
  let stderr =
    errors.length > 0
      ? `${errors.map(formatProblem).join('\n')}\negts translate: ${summary.join('; ')}\n`
      : '';
  // OpenID providers given by their issuer alone: their endpoints from the discovery document,
  // fetched here as Envoy Gateway's control plane fetches it (one that fails is reported).
  const oidcDiscovery = await discoverOidcProviders(oidcIssuers(resources));
  const translated = translate(resources, {
    oidcDiscovery,
    controllerName: options.controllerName,
    controllerNamespace: options.controllerNamespace,
    ...(options.globalRateLimit === false
      ? {}
      : { rateLimitService: inClusterRateLimitService(options.controllerNamespace) }),
  });
  // A refused resource gets a status too (Accepted=False naming its file and field).
  const refused = refusedStatuses(problems, resources);
  const statuses =
    refused.length === 0 ? translated.statuses : [...translated.statuses, ...refused];
  let exitCode = 0;
  if (options.check) {
    const found = statusProblems(statuses);
    if (found.length > 0) stderr += `${found.map(formatStatusProblem).join('\n')}\n`;
    // A refused resource is not accepted either.
    if (found.length > 0 || errors.length > 0) exitCode = 1;
  }
  const result: TranslateResult = {
    ...translated,
    statuses: options.output === 'xds' ? [] : statuses,
  };
  return { result, stderr, exitCode };
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
