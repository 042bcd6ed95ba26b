// @egts/gateway: the app that wires egts's libraries, and its CLI.
export { createCli } from './cli/createCli.js';
