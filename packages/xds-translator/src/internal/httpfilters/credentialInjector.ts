// HTTPRouteFilter credentialInjection with Envoy's credential injector
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/credential_injector_filter):
// one filter per HTTPRouteFilter, disabled in the connection manager and enabled by the routes
// using it (a backendRef's filter: by its weighted cluster, routeAction.ts); the credential is an SDS generic secret (generic injected credential), never inline
// in the listener.
import {
  CredentialInjector,
  GenericInjectedCredential,
  HttpFilter,
  packAny,
  Secret,
} from '@egts/envoy-api';
import type { CredentialInjection, HTTPRouteIR } from '@egts/ir';
import { sdsSecret, typedConfig } from '../protoValues.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { enabledAsConfigured } from './securityPolicies.js';

export const credentialInjectorName = (injection: CredentialInjection): string =>
  `envoy.filters.http.credential_injector/${injection.name}`;
const filterName = credentialInjectorName;

const NONE: readonly CredentialInjection[] = [];

/**
 * The route's injection, and those of its backends (backendRef filters, per weighted cluster).
 * Allocates nothing for a route without any: it runs for every route of a listener on each
 * change (at 5,000 routes the arrays it made were most of a one-route change's xDS cost).
 */
const injectionsOf = (route: HTTPRouteIR): readonly CredentialInjection[] => {
  let found: CredentialInjection[] | undefined;
  if (route.credentialInjection) found = [route.credentialInjection];
  for (const setting of route.destination?.settings ?? NONE_SETTINGS) {
    if (!setting.credentialInjection) continue;
    found ??= [];
    found.push(setting.credentialInjection);
  }
  return found ?? NONE;
};
const NONE_SETTINGS: readonly { credentialInjection?: CredentialInjection | undefined }[] = [];

const secretName = (injection: CredentialInjection): string => `credential/${injection.name}`;

export const credentialInjectorFilter: HttpFilterTranslator = {
  resourcesPerRoute: true,
  patchListener: (listeners, mode) => {
    const injections = new Map<string, CredentialInjection>();
    for (const route of routesOf(listeners))
      for (const injection of injectionsOf(route)) injections.set(injection.name, injection);
    return [...injections.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((injection) =>
        HttpFilter.fromPartial({
          name: filterName(injection),
          disabled: true,
          typedConfig: packAny(
            CredentialInjector,
            CredentialInjector.fromPartial({
              overwrite: injection.overwrite,
              credential: typedConfig(
                'envoy.http.injected_credentials.generic',
                GenericInjectedCredential,
                GenericInjectedCredential.fromPartial({
                  credential: sdsSecret(secretName(injection), mode),
                  header: injection.header,
                }),
              ),
            }),
          ),
        }),
      );
  },
  patchRoute: (route) =>
    route.credentialInjection
      ? { [filterName(route.credentialInjection)]: enabledAsConfigured }
      : undefined,
  addResources: (listener, out) => {
    for (const route of listener.routes)
      for (const injection of injectionsOf(route))
        out.addSecret(
          Secret.fromPartial({
            name: secretName(injection),
            genericSecret: { secret: { inlineString: injection.credential } },
          }),
        );
  },
};
