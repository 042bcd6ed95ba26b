// @egts/api/yaml: writing plain data as block YAML, exactly as the `yaml` library writes it but
// without its cost (the statuses and Envoy configs `egts translate` prints). A subpath of its own,
// so that a writer loads no schemas.
export { type StringifyYamlOptions, stringifyYaml } from './yaml/stringifyYaml.js';
