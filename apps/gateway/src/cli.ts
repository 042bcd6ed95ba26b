#!/usr/bin/env node
// Entry point of the `egts` binary.
import { createCli } from './cli/createCli.js';

// Output piped into a reader that stops early (`egts translate ... | head`): stop quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

await createCli().parseAsync(process.argv);
