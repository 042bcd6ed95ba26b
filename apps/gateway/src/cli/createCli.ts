// The `egts` command line: one Command per subcommand, wired here.
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { certgenCommand } from './certgenCommand.js';
import { configCommand } from './configCommand.js';
import { runCommand } from './runCommand.js';
import { serverCommand } from './serverCommand.js';
import { statusCommand } from './statusCommand.js';
import { translateCommand } from './translateCommand.js';
import { validateCommand } from './validateCommand.js';

export function createCli(): Command {
  return new Command('egts')
    .description("Envoy Gateway's control plane in TypeScript")
    .version(VERSION, '-v, --version')
    .addCommand(validateCommand())
    .addCommand(translateCommand())
    .addCommand(runCommand())
    .addCommand(serverCommand())
    .addCommand(certgenCommand())
    .addCommand(statusCommand())
    .addCommand(configCommand());
}
