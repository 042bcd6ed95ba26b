// `egts translate -f PATH|- -o status|ir|xds|all`: runs the Gateway API translator on files and
// prints the statuses (multi-document YAML, or JSON), the Infra and xDS IR, or Envoy config
// (xdsOutput.ts); `--check` fails when any resource is not accepted or has unresolved references,
// which is the CI check users embed.
// The translator, loader and Envoy types load when the command runs, not when it is defined.
import type { OutputFormat } from '@egts/gatewayapi-translator';
import { Command, Option } from 'commander';
import { DEFAULT_CONTROLLER_NAME, DEFAULT_CONTROLLER_NAMESPACE } from './defaults.js';
import { gatewayOption, isXdsOutput, type XdsCliOptions, xdsTypeOption } from './xdsOptions.js';

export interface TranslateCliOptions extends Omit<XdsCliOptions, 'output'> {
  output: 'status' | 'ir' | XdsCliOptions['output'];
  format: OutputFormat;
  controllerName: string;
  controllerNamespace: string;
  check: boolean;
}

export interface TranslateCliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** What `egts translate` does, without touching the process: the CLI and its tests share it. */
export async function runTranslate(
  path: string,
  options: TranslateCliOptions,
): Promise<TranslateCliResult> {
  const [
    { loadInput },
    { formatStatusProblem, renderIR, renderStatuses, statusProblems, translate },
  ] = await Promise.all([import('./readInput.js'), import('@egts/gatewayapi-translator')]);
  // Lenient: a value that breaks a CRD rule still reaches the translator and gets a condition,
  // as it would in Envoy Gateway, instead of silently vanishing.
  const { resources, problems } = await loadInput(path, { lenient: true });
  const errors = problems.filter((p) => p.severity === 'error').length;
  let stderr =
    errors > 0
      ? `egts translate: ${errors} problem(s) in the input, see \`egts validate -f ${path}\`\n`
      : '';
  const result = translate(resources, {
    controllerName: options.controllerName,
    controllerNamespace: options.controllerNamespace,
  });
  const { output } = options;
  const stdout = isXdsOutput(output)
    ? (await import('./xdsOutput.js')).renderXdsOutput(result, { ...options, output })
    : output === 'ir'
      ? renderIR(result, options.format)
      : renderStatuses(result.statuses, options.format);
  let exitCode = 0;
  if (options.check) {
    const found = statusProblems(result.statuses);
    if (found.length > 0) {
      stderr += `${found.map(formatStatusProblem).join('\n')}\n`;
      exitCode = 1;
    }
  }
  return { stdout, stderr, exitCode };
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
      '--check',
      'exit non-zero, listing each resource that is not accepted or has unresolved refs',
      false,
    )
    .addOption(xdsTypeOption())
    .addOption(gatewayOption())
    .action(async (options: TranslateCliOptions & { filename: string }) => {
      const result = await runTranslate(options.filename, options);
      process.stdout.write(result.stdout);
      if (result.stderr) process.stderr.write(result.stderr);
      if (result.exitCode !== 0) process.exitCode = result.exitCode;
    });
}
