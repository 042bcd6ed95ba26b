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
 * Per-route config switching an instance on. The upstream must not see Accept-Encoding (Envoy
 * compresses, as Envoy Gateway's proxies do), but each instance reads it on the way in: only
 * the route's last instance in the chain removes it.
 */
const enabled = (removeAcceptEncoding: boolean) =>
  enabledOnRoute(
    packAny(
      CompressorPerRoute,
      CompressorPerRoute.fromPartial({
        overrides: {
          responseDirectionConfig: removeAcceptEncoding ? { removeAcceptEncodingHeader: true } : {},
        },
      }),
    ),
  );

const byName = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

export const compressorFilter: HttpFilterTranslator = {
  patchListener: (listeners) => {
    // Sorted by name, so each route knows which of its instances comes last.
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
  patchRoute: (route) => {
    if (route.compression === undefined) return undefined;
    const names = route.compression.map(instanceName).sort();
    return Object.fromEntries(names.map((name, i) => [name, enabled(i === names.length - 1)]));
  },
};
