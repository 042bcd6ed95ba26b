// @egts/envoy-binary: find, validate configs with, and run the real Envoy binary.

export type { EnvoyConfig } from './configFile.js';
export type { FindEnvoyOptions } from './findEnvoy.js';
export { envoyInVenv, findEnvoy } from './findEnvoy.js';
export type { EnvoyHandle, StartEnvoyOptions } from './startEnvoy.js';
export { startEnvoy } from './startEnvoy.js';
export type { ValidateOptions, ValidationResult } from './validateEnvoyConfig.js';
export { validateEnvoyConfig } from './validateEnvoyConfig.js';
