// A plain object (not null, not an array): what a Kubernetes resource or one of its fields is.
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
