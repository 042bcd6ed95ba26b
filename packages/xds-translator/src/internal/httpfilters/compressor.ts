// Response compression (BackendTrafficPolicy `compression` / `compressor`) with Envoy's
// compressor filter and its gzip, brotli and zstd libraries
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/compressor_filter).
// One instance per library and minimum length, held disabled by the connection manager and
// enabled on the routes that ask for it; Envoy picks among them by the client's Accept-Encoding.
import {
  Brotli,
  Compressor,
  CompressorPerRoute,
  Gzip,
  HttpFilter,
  packAny,
  Zstd,
} from '@egts/envoy-api';
import type { Compression } from '@egts/ir';
import { typedConfig } from '../protoValues.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { enabledOnRoute } from './securityPolicies.js';

const PREFIX = 'envoy.filters.http.compressor';

const instanceName = (c: Compression): string =>
  `${PREFIX}.${c.type.toLowerCase()}${c.minContentLengthBytes === undefined ? '' : `/min-${c.minContentLengthBytes}`}`;

const library = (type: Compression['type']) =>
  type === 'Gzip'
    ? typedConfig('envoy.compression.gzip.compressor', Gzip, Gzip.fromPartial({}))
    : type === 'Brotli'
      ? typedConfig('envoy.compression.brotli.compressor', Brotli, Brotli.fromPartial({}))
      : typedConfig('envoy.compression.zstd.compressor', Zstd, Zstd.fromPartial({}));

/** `chooseFirst` makes a policy's first compressor win when the client accepts several equally. */
const compressor = (c: Compression, chooseFirst: boolean): Compressor =>
  Compressor.fromPartial({
    compressorLibrary: library(c.type),
    chooseFirst,
    ...(c.minContentLengthBytes === undefined
      ? {}
      : {
          responseDirectionConfig: { commonConfig: { minContentLength: c.minContentLengthBytes } },
        }),
  });

/**
 * Per-route config switching an instance on (Envoy refuses an empty override). The backend never
 * sees Accept-Encoding: the route removes it (see the gatewayapi-translator).
 */
const ENABLED = enabledOnRoute(
  packAny(
    CompressorPerRoute,
    CompressorPerRoute.fromPartial({ overrides: { responseDirectionConfig: {} } }),
  ),
);

const byName = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

export const compressorFilter: HttpFilterTranslator = {
  patchListener: (listeners) => {
    // Sorted by name: deterministic whatever the routes' order.
    const instances = new Map<string, { c: Compression; first: boolean }>();
    for (const route of routesOf(listeners))
      for (const [i, c] of (route.compression ?? []).entries()) {
        const name = instanceName(c);
        instances.set(name, { c, first: i === 0 || instances.get(name)?.first === true });
      }
    return [...instances.entries()].sort(byName).map(([name, { c, first }]) =>
      HttpFilter.fromPartial({
        name,
        disabled: true,
        typedConfig: packAny(Compressor, compressor(c, first)),
      }),
    );
  },
  patchRoute: (route) =>
    route.compression === undefined
      ? undefined
      : Object.fromEntries(route.compression.map((c) => [instanceName(c), ENABLED])),
};
