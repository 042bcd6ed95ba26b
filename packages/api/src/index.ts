// @egts/api: schemas and types of every input kind egts reads, and the YAML/JSON loader.
export const API_PLACEHOLDER = true;
