// @egts/envoy-binary: find, validate configs with, and run the real Envoy binary, pick the
// ports it listens on, and ask local processes (its admin interface) over plain HTTP.

export type { EnvoyConfig } from './configFile.js';
export type { FindEnvoyOptions } from './findEnvoy.js';
export { envoyInVenv, findEnvoy } from './findEnvoy.js';
export { freePort } from './freePort.js';
export type { LocalRequestOptions, LocalResponse } from './localHttp.js';
export { localHttp } from './localHttp.js';
export type { EnvoyHandle, StartEnvoyOptions } from './startEnvoy.js';
export { listenerPortsAt, startEnvoy } from './startEnvoy.js';
export type { ValidateOptions, ValidationResult } from './validateEnvoyConfig.js';
export { validateEnvoyConfig } from './validateEnvoyConfig.js';
