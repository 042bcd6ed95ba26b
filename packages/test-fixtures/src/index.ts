// @egts/test-fixtures: fluent builders of resources for tests.
export const FIXTURES_PLACEHOLDER = true;
