// EnvoyExtensionPolicy extProc with Envoy's ext_proc filter: one instance per processor, disabled
// in the connection manager and enabled on the routes the policy extends; the processor's cluster
// comes from its backendRefs. Nothing is sent unless the policy's processingMode asks for it
// (Envoy Gateway's default: headers SKIP, bodies NONE)
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/ext_proc_filter).
import {
  ExternalProcessor,
  ExtProcPerRoute,
  HttpFilter,
  ProcessingMode_BodySendMode,
  ProcessingMode_HeaderSendMode,
  packAny,
} from '@egts/envoy-api';
import type { ExtProc, HTTPListener } from '@egts/ir';
import { addDestination } from '../cluster/destinationClusters.js';
import { durationMs } from '../protoValues.js';
import { type HttpFilterTranslator, routesOf } from './httpFilter.js';
import { enabledOnRoute } from './securityPolicies.js';
import { serviceRetryPolicy } from './serviceRetry.js';

const NAME = 'envoy.filters.http.ext_proc';
/** Envoy Gateway's timeout of calls to its external services. */
const GRPC_TIMEOUT_MS = 10_000;

const instanceName = (processor: ExtProc): string =>
  `${NAME}/envoyextensionpolicy/${processor.name}`;

const BODY_MODES = {
  Streamed: ProcessingMode_BodySendMode.STREAMED,
  Buffered: ProcessingMode_BodySendMode.BUFFERED,
  BufferedPartial: ProcessingMode_BodySendMode.BUFFERED_PARTIAL,
} as const;

const headerMode = (direction: ExtProc['request']) =>
  direction ? ProcessingMode_HeaderSendMode.SEND : ProcessingMode_HeaderSendMode.SKIP;
const bodyMode = (direction: ExtProc['request']) =>
  direction?.body ? BODY_MODES[direction.body] : ProcessingMode_BodySendMode.NONE;

const externalProcessor = (p: ExtProc): ExternalProcessor =>
  ExternalProcessor.fromPartial({
    grpcService: {
      envoyGrpc: { clusterName: p.destination.name, authority: p.authority },
      timeout: durationMs(GRPC_TIMEOUT_MS),
      ...(p.retry ? { retryPolicy: serviceRetryPolicy(p.retry) } : {}),
    },
    failureModeAllow: p.failOpen,
    // Shadow mode: the processor observes, Envoy does not wait for or apply its answers.
    observabilityMode: p.shadowMode === true,
    ...(p.statusOnError === undefined ? {} : { statusOnError: { code: p.statusOnError } }),
    processingMode: {
      requestHeaderMode: headerMode(p.request),
      responseHeaderMode: headerMode(p.response),
      requestBodyMode: bodyMode(p.request),
      responseBodyMode: bodyMode(p.response),
      requestTrailerMode: ProcessingMode_HeaderSendMode.SKIP,
      responseTrailerMode: ProcessingMode_HeaderSendMode.SKIP,
    },
    requestAttributes: p.request?.attributes ?? [],
    responseAttributes: p.response?.attributes ?? [],
    allowModeOverride: p.allowModeOverride,
    ...(p.messageTimeoutMs === undefined ? {} : { messageTimeout: durationMs(p.messageTimeoutMs) }),
    ...(p.forwardingNamespaces.length + p.receivingNamespaces.length > 0
      ? {
          metadataOptions: {
            forwardingNamespaces: { untyped: p.forwardingNamespaces },
            receivingNamespaces: { untyped: p.receivingNamespaces },
          },
        }
      : {}),
  });

/** Every processor the routes of `listeners` use, once each, by name. */
const processors = (listeners: readonly HTTPListener[]): ExtProc[] => {
  const byName = new Map<string, ExtProc>();
  for (const route of routesOf(listeners))
    for (const p of route.extensions?.extProc ?? []) if (!byName.has(p.name)) byName.set(p.name, p);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
};

export const extProcFilter: HttpFilterTranslator = {
  resourcesPerRoute: true,
  patchListener: (listeners) =>
    processors(listeners).map((p) =>
      HttpFilter.fromPartial({
        name: instanceName(p),
        disabled: true,
        typedConfig: packAny(ExternalProcessor, externalProcessor(p)),
      }),
    ),
  patchRoute: (route) => {
    const list = route.extensions?.extProc ?? [];
    if (list.length === 0) return undefined;
    return Object.fromEntries(
      list.map((p) => [
        instanceName(p),
        enabledOnRoute(packAny(ExtProcPerRoute, ExtProcPerRoute.fromPartial({ overrides: {} }))),
      ]),
    );
  },
  addResources: (listener, out) => {
    for (const route of routesOf([listener]))
      for (const p of route.extensions?.extProc ?? [])
        addDestination(p.destination, out, { single: true });
  },
};
