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

const compressor = (c: Compression): Compressor =>
  Compressor.fromPartial({
    compressorLibrary: library(c.type),
    ...(c.minContentLengthBytes === undefined
      ? {}
      : {
          responseDirectionConfig: { commonConfig: { minContentLength: c.minContentLengthBytes } },
        }),
  });

/** Per-route config that only switches the instance on (Envoy refuses an empty override). */
const ENABLED = enabledOnRoute(
  packAny(
    CompressorPerRoute,
    CompressorPerRoute.fromPartial({ overrides: { responseDirectionConfig: {} } }),
  ),
);

export const compressorFilter: HttpFilterTranslator = {
  patchListener: (listeners) => {
    const byName = new Map<string, Compression>();
    for (const route of routesOf(listeners))
      for (const c of route.compression ?? []) byName.set(instanceName(c), c);
    return [...byName.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, c]) =>
        HttpFilter.fromPartial({
          name,
          disabled: true,
          typedConfig: packAny(Compressor, compressor(c)),
        }),
      );
  },
  patchRoute: (route) =>
    route.compression === undefined
      ? undefined
      : Object.fromEntries(route.compression.map((c) => [instanceName(c), ENABLED])),
};
