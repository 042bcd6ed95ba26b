// Envoy message types @egts/envoy-api generates but does not name in its public surface, derived
// from the messages that contain them (so they stay in step with the generated code).
import type {
  EarlyHeaderMutation,
  HeaderMatcher,
  HttpConnectionManager,
  RouteAction,
  RouteMatch,
  UpstreamTlsContext,
} from '@egts/envoy-api';

export type AccessLog = HttpConnectionManager['accessLog'][number];
export type StringMatcher = NonNullable<HeaderMatcher['stringMatch']>;
export type RegexMatcher = NonNullable<RouteMatch['safeRegex']>;
export type RegexMatchAndSubstitute = NonNullable<RouteAction['regexRewrite']>;
export type RetryPolicy = NonNullable<RouteAction['retryPolicy']>;
export type RequestMirrorPolicy = RouteAction['requestMirrorPolicies'][number];
export type CommonTlsContext = NonNullable<UpstreamTlsContext['commonTlsContext']>;
export type MutationRule = EarlyHeaderMutation['mutations'][number];
