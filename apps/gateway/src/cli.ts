#!/usr/bin/env node
// Entry point of the `egts` binary.
import { createCli } from './cli/createCli.js';

await createCli().parseAsync(process.argv);
