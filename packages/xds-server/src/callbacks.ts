// Hooks the server calls on stream and protocol events; every one is optional (no-op default).
import type { Node } from '@egts/envoy-api';

export type XdsVariant = 'sotw' | 'delta';

/** What a hook knows of the stream it is called for. */
export interface StreamInfo {
  readonly streamId: number;
  readonly variant: XdsVariant;
  readonly peer: string;
  /** Known from the first request on (Envoy sends `node` in it). */
  readonly node: Node | undefined;
  readonly group: string | undefined;
}

/** A NACK, attributed to the resources its `error_detail` names. */
export interface Rejection {
  readonly stream: StreamInfo;
  readonly typeUrl: string;
  /** The rejected resources and the versions rejected; these are not re-sent until they change. */
  readonly resources: readonly { readonly name: string; readonly version: string }[];
  /** Envoy's `error_detail.message`. */
  readonly message: string;
  /** Whether the names were found in the message (false: all resources of the response). */
  readonly attributed: boolean;
  /**
   * Routes taken out of a rejected RouteConfiguration because the message points at them; the
   * rest of it is sent again at once (empty when nothing could be singled out).
   */
  readonly quarantined: readonly { readonly name: string; readonly routes: readonly string[] }[];
}

/**
 * The snapshot version a rejected version was made from: a quarantined resource (routes taken
 * out, internal/streamCore.ts) is sent under `<snapshot version>~q<routes taken>`.
 */
export const snapshotVersionOf = (rejectedVersion: string): string =>
  rejectedVersion.split('~q')[0] ?? rejectedVersion;

export interface Ack {
  readonly stream: StreamInfo;
  readonly typeUrl: string;
  readonly nonce: string;
  /** Snapshot set -> this ACK, in ms: push latency for this type and node. */
  readonly latencyMs: number;
}

export interface XdsCallbacks {
  onStreamOpen?(stream: StreamInfo): void;
  onStreamClose?(stream: StreamInfo, error?: Error): void;
  /** Every request, before it is processed; `stale` when its nonce is not the latest sent. */
  onRequest?(stream: StreamInfo, typeUrl: string, request: unknown, stale: boolean): void;
  onResponse?(stream: StreamInfo, typeUrl: string, response: unknown): void;
  onAck?(ack: Ack): void;
  onNack?(rejection: Rejection): void;
}

const noop = (): void => {};

/** Binds the given hooks (plain objects or class instances) and fills the rest with no-ops. */
export const withDefaults = (callbacks: XdsCallbacks = {}): Required<XdsCallbacks> => ({
  onStreamOpen: callbacks.onStreamOpen?.bind(callbacks) ?? noop,
  onStreamClose: callbacks.onStreamClose?.bind(callbacks) ?? noop,
  onRequest: callbacks.onRequest?.bind(callbacks) ?? noop,
  onResponse: callbacks.onResponse?.bind(callbacks) ?? noop,
  onAck: callbacks.onAck?.bind(callbacks) ?? noop,
  onNack: callbacks.onNack?.bind(callbacks) ?? noop,
});
