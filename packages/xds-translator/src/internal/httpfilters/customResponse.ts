// Response overrides (BackendTrafficPolicy `responseOverride`) with Envoy's custom_response filter
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/custom_response_filter):
// the connection manager holds one disabled instance per set of overrides (Envoy reads the
// matcher from the filter's own config), enabled on the routes that use it: a matcher list whose
// first matching entry (status code, response headers, then whether Envoy itself answered)
// replaces the response with a local response policy (new status, body with command operators
// such as %RESPONSE_CODE%, content type and headers) or, with a redirect policy, sends the request
// on to another location (an internal redirect) and returns that answer.
import { createHash } from 'node:crypto';
import {
  CustomResponse,
  FilterConfig,
  HeaderValueOption_HeaderAppendAction,
  HttpFilter,
  HttpResponseHeaderMatchInput,
  HttpResponseLocalReplyMatchInput,
  HttpResponseStatusCodeMatchInput,
  LocalResponsePolicy,
  packAny,
  RedirectPolicy,
  type XdsMatcher,
} from '@egts/envoy-api';
import type { ResponseOverride } from '@egts/ir';
import { typedConfig } from '../protoValues.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';

const NAME = 'envoy.filters.http.custom_response';

type Predicate = NonNullable<XdsMatcher['matcherList']>['matchers'][number]['predicate'];

const STATUS_INPUT = typedConfig(
  'status_code',
  HttpResponseStatusCodeMatchInput,
  HttpResponseStatusCodeMatchInput.fromPartial({}),
);

const headerInput = (name: string) =>
  typedConfig(
    `header_${name}`,
    HttpResponseHeaderMatchInput,
    HttpResponseHeaderMatchInput.fromPartial({ headerName: name }),
  );

const statusPredicate = (codes: ResponseOverride['statusCodes']): Predicate => {
  const values = codes.flatMap((code) =>
    code.range
      ? Array.from(
          { length: code.range.end - code.range.start + 1 },
          (_, i) => (code.range?.start ?? 0) + i,
        )
      : [code.value ?? 0],
  );
  return {
    singlePredicate: {
      input: STATUS_INPUT,
      valueMatch: {
        safeRegex: { googleRe2: {}, regex: `^(${values.join('|')})$` },
        ignoreCase: false,
      },
    },
  } as Predicate;
};

const headerPredicate = (header: ResponseOverride['responseHeaders'][number]): Predicate => {
  const valueMatch =
    header.type === 'Prefix'
      ? { prefix: header.value }
      : header.type === 'Suffix'
        ? { suffix: header.value }
        : header.type === 'RegularExpression'
          ? { safeRegex: { googleRe2: {}, regex: header.value } }
          : { exact: header.value };
  return {
    singlePredicate: {
      input: headerInput(header.name),
      valueMatch: { ...valueMatch, ignoreCase: false },
    },
  } as Predicate;
};

const LOCAL_REPLY_INPUT = typedConfig(
  'local_reply',
  HttpResponseLocalReplyMatchInput,
  HttpResponseLocalReplyMatchInput.fromPartial({}),
);

/** Whether Envoy generated the response: "true" for a local reply, "false" for an upstream one. */
const sourcePredicate = (source: 'Local' | 'Backend'): Predicate =>
  ({
    singlePredicate: {
      input: LOCAL_REPLY_INPUT,
      valueMatch: { exact: source === 'Local' ? 'true' : 'false', ignoreCase: false },
    },
  }) as Predicate;

const predicateOf = (override: ResponseOverride): Predicate => {
  const all = [
    ...(override.statusCodes.length > 0 ? [statusPredicate(override.statusCodes)] : []),
    ...override.responseHeaders.map(headerPredicate),
    ...(override.source === undefined ? [] : [sourcePredicate(override.source)]),
  ];
  return (all.length === 1 ? all[0] : { andMatcher: { predicate: all } }) as Predicate;
};

const localResponse = ({ response }: ResponseOverride, index: number) => {
  // Envoy's local reply writes text/plain whatever the body format says: set the type as a header.
  const contentType =
    response.contentType === undefined
      ? []
      : [{ name: 'content-type', value: response.contentType }];
  const headers = [
    ...response.addHeaders.map((h) => ({
      header: { key: h.name, value: h.value },
      appendAction: HeaderValueOption_HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD,
    })),
    ...[...contentType, ...response.setHeaders].map((h) => ({
      header: { key: h.name, value: h.value },
      appendAction: HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD,
    })),
  ];
  return typedConfig(
    `response-override-${index}`,
    LocalResponsePolicy,
    LocalResponsePolicy.fromPartial({
      ...(response.body === undefined
        ? {}
        : {
            bodyFormat: {
              textFormatSource: { inlineString: response.body },
              ...(response.contentType === undefined ? {} : { contentType: response.contentType }),
            },
          }),
      ...(response.statusCode === undefined ? {} : { statusCode: response.statusCode }),
      responseHeadersToAdd: headers,
    }),
  );
};

const redirectAction = (redirect: NonNullable<ResponseOverride['redirect']>, index: number) =>
  typedConfig(
    `response-override-${index}`,
    RedirectPolicy,
    RedirectPolicy.fromPartial({
      redirectAction: {
        ...(redirect.scheme === undefined ? {} : { schemeRedirect: redirect.scheme }),
        ...(redirect.hostname === undefined ? {} : { hostRedirect: redirect.hostname }),
        ...(redirect.port === undefined ? {} : { portRedirect: redirect.port }),
        ...(redirect.path === undefined ? {} : { pathRedirect: redirect.path }),
      },
      statusCode: redirect.statusCode,
    }),
  );

const actionOf = (override: ResponseOverride, index: number) =>
  override.redirect ? redirectAction(override.redirect, index) : localResponse(override, index);

const customResponse = (overrides: readonly ResponseOverride[]): CustomResponse =>
  CustomResponse.fromPartial({
    customResponseMatcher: {
      matcherList: {
        matchers: overrides.map((override, i) => ({
          predicate: predicateOf(override),
          onMatch: { action: actionOf(override, i) },
        })),
      },
    },
  });

/**
 * Switches an instance on for a route: a FilterConfig whose config is an empty Any (Envoy refuses
 * one without config), as Envoy Gateway has it; the instance holds the matcher.
 */
export const ENABLED = packAny(
  FilterConfig,
  FilterConfig.fromPartial({ config: { typeUrl: '', value: Buffer.alloc(0) } }),
);

/** One instance per distinct set of overrides, named after its content (stable across changes). */
const instanceName = (overrides: readonly ResponseOverride[]): string =>
  `${NAME}/${createHash('sha256').update(JSON.stringify(overrides)).digest('hex').slice(0, 12)}`;

export const customResponseFilter: HttpFilterTranslator = {
  patchListener: (listeners) => {
    const instances = new Map<string, readonly ResponseOverride[]>();
    for (const route of routesOf(listeners))
      if (route.responseOverride)
        instances.set(instanceName(route.responseOverride), route.responseOverride);
    return [...instances.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, overrides]) =>
        HttpFilter.fromPartial({
          name,
          disabled: true,
          typedConfig: packAny(CustomResponse, customResponse(overrides)),
        }),
      );
  },
  patchRoute: (route) =>
    route.responseOverride === undefined
      ? undefined
      : { [instanceName(route.responseOverride)]: ENABLED },
};
