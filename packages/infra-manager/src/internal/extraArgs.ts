// EnvoyProxy `extraArgs`: command-line arguments for Envoy, after every one egts sets (Envoy
// Gateway appends them to the envoy container's args the same way).

/** The EnvoyProxy's extraArgs (strings only), or none. */
export const extraArgs = (envoyProxy: Readonly<Record<string, unknown>> | undefined): string[] => {
  const args = envoyProxy?.extraArgs;
  return Array.isArray(args) ? args.filter((a): a is string => typeof a === 'string') : [];
};
