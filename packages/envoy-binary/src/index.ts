// @egts/envoy-binary: find, validate configs with, and run the real Envoy binary, and pick the
// ports it listens on.

export type { EnvoyConfig } from './configFile.js';
export type { FindEnvoyOptions } from './findEnvoy.js';
export { envoyInVenv, findEnvoy } from './findEnvoy.js';
export { freePort } from './freePort.js';
export type { EnvoyHandle, StartEnvoyOptions } from './startEnvoy.js';
export { startEnvoy } from './startEnvoy.js';
export type { ValidateOptions, ValidationResult } from './validateEnvoyConfig.js';
export { validateEnvoyConfig } from './validateEnvoyConfig.js';
