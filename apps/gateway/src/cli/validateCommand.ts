// `egts validate -f PATH|-`: loads resources and prints every problem, for people or for tools.
// The loader and schemas load when the command runs, not when it is defined.
import type { Problem } from '@egts/api';
import { Command, Option } from 'commander';

export interface ValidateReport {
  valid: boolean;
  resources: number;
  errors: number;
  warnings: number;
  problems: Problem[];
}

/** Validates what a path names. Invalid when any error is found (or any warning, when strict). */
export async function validate(path: string, strict = false): Promise<ValidateReport> {
  const [{ loadInput }, { countResources }] = await Promise.all([
    import('./readInput.js'),
    import('@egts/api'),
  ]);
  const { resources, problems } = await loadInput(path);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  return {
    valid: errors === 0 && (!strict || warnings === 0),
    resources: countResources(resources),
    errors,
    warnings,
    problems,
  };
}

export async function formatReport(report: ValidateReport): Promise<string> {
  const { formatProblem } = await import('@egts/api');
  const lines = report.problems.map(formatProblem);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(
    `${plural(report.resources, 'valid resource')}, ${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}`,
  );
  return `${lines.join('\n')}\n`;
}

export function validateCommand(): Command {
  return new Command('validate')
    .description('check resources (Gateway API, Envoy Gateway, core kinds) and print every problem')
    .requiredOption(
      '-f, --filename <path>',
      'a YAML/JSON file, a directory of them, or - for stdin',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['human', 'json'])
        .default('human'),
    )
    .option(
      '--strict',
      'treat warnings (fields spelled with the wrong case, deprecated versions) as problems too',
      false,
    )
    .action(async (options: { filename: string; output: 'human' | 'json'; strict: boolean }) => {
      const report = await validate(options.filename, options.strict);
      process.stdout.write(
        options.output === 'json'
          ? `${JSON.stringify(report, null, 2)}\n`
          : await formatReport(report),
      );
      if (!report.valid) process.exitCode = 1;
    });
}
