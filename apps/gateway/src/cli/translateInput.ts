// `egts translate`'s work before printing: the input loaded (refusing what the API server would
// refuse), OpenID providers discovered, the resources translated, and the `--check` verdict.
// The translator and loader load when the command runs, not when it is defined.
import type { TranslateResult } from '@egts/gatewayapi-translator';
import type { TranslateCliOptions } from './translateCommand.js';

/**
 * The input loaded and translated, with the `--check` verdict. The loaded resources are garbage
 * once this returns, and so are the statuses when only the xDS IR is printed: at 5,000 routes,
 * the Envoy config built next is what sets the peak memory.
 */
export async function loadAndTranslate(path: string, options: TranslateCliOptions) {
  const [
    { loadInput },
    { formatProblem, refusedStatuses, refuses },
    {
      discoverOidcProviders,
      formatStatusProblem,
      inClusterRateLimitService,
      oidcIssuers,
      statusProblems,
      translate,
    },
  ] = await Promise.all([
    import('./readInput.js'),
    import('@egts/api'),
    import('@egts/gatewayapi-translator'),
  ]);
  // A resource the API server would refuse (it breaks its CRD's schema) is refused here too:
  // reported, not translated, as it would be in Kubernetes.
  const { resources, problems } = await loadInput(path);
  const errors = problems.filter((p) => p.severity === 'error');
  // Unknown fields are errors too, but their resources are translated without them (pruned).
  const refusing = errors.filter(refuses).length;
  const pruned = errors.length - refusing;
  const summary = [
    ...(refusing > 0
      ? [`${refusing} problem(s) in the input: what they name is not translated`]
      : []),
    ...(pruned > 0 ? [`${pruned} unknown field(s): left out, as the API server prunes them`] : []),
  ];
  let stderr =
    errors.length > 0
      ? `${errors.map(formatProblem).join('\n')}\negts translate: ${summary.join('; ')}\n`
      : '';
  // OpenID providers given by their issuer alone: their endpoints from the discovery document,
  // fetched here as Envoy Gateway's control plane fetches it (one that fails is reported).
  const oidcDiscovery = await discoverOidcProviders(oidcIssuers(resources));
  const translated = translate(resources, {
    oidcDiscovery,
    controllerName: options.controllerName,
    controllerNamespace: options.controllerNamespace,
    ...(options.globalRateLimit === false
      ? {}
      : { rateLimitService: inClusterRateLimitService(options.controllerNamespace) }),
  });
  // A refused resource gets a status too (Accepted=False naming its file and field).
  const refused = refusedStatuses(problems, resources);
  const statuses =
    refused.length === 0 ? translated.statuses : [...translated.statuses, ...refused];
  let exitCode = 0;
  if (options.check) {
    const found = statusProblems(statuses);
    if (found.length > 0) stderr += `${found.map(formatStatusProblem).join('\n')}\n`;
    // A refused resource is not accepted either.
    if (found.length > 0 || errors.length > 0) exitCode = 1;
  }
  const result: TranslateResult = {
    ...translated,
    statuses: options.output === 'xds' ? [] : statuses,
  };
  return { result, stderr, exitCode };
}
