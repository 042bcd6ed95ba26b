// Header modifiers (RequestHeaderModifier / ResponseHeaderModifier, backendRef filters) ->
// Envoy headers_to_add / headers_to_remove
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#custom-request-response-headers).
import { HeaderValueOption, HeaderValueOption_HeaderAppendAction } from '@egts/envoy-api';
import type { HeaderValue } from '@egts/ir';

/** Envoy refuses to add or remove pseudo-headers and Host through these lists. */
const modifiable = (name: string): boolean =>
  !name.startsWith(':') && name.toLowerCase() !== 'host';

export const headersToAdd = (headers: readonly HeaderValue[]): HeaderValueOption[] =>
  headers
    .filter((header) => modifiable(header.name))
    .map((header) =>
      HeaderValueOption.fromPartial({
        header: { key: header.name, value: header.value },
        appendAction: header.append
          ? HeaderValueOption_HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD
          : HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD,
      }),
    );

export const headersToRemove = (names: readonly string[]): string[] => names.filter(modifiable);
