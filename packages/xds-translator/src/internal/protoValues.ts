// Small builders for values that recur across Envoy messages: durations, addresses, typed
// extension configs and config sources.
import {
  Address,
  ApiVersion,
  ConfigSource,
  type Duration,
  type MessageCodec,
  packAny,
  type SdsSecretConfig,
  Secret,
  SocketAddress_Protocol,
  type TypedExtensionConfig,
} from '@egts/envoy-api';
import type { TLSCertificate } from '@egts/ir';
import type { XdsMode } from '../xdsResources.js';

/** A google.protobuf.Duration from milliseconds. */
export const durationMs = (ms: number): Duration => ({
  seconds: Math.floor(ms / 1000),
  nanos: Math.round((ms % 1000) * 1_000_000),
});

/**
 * An Envoy Address for `host:port` (TCP unless told otherwise), written out whole as
 * Address.fromPartial makes it: one per endpoint of a cold translation.
 */
export const socketAddress = (
  address: string,
  portValue: number,
  protocol: SocketAddress_Protocol = SocketAddress_Protocol.TCP,
): Address => ({
  socketAddress: {
    protocol,
    address,
    portValue,
    namedPort: undefined,
    resolverName: '',
    ipv4Compat: false,
  },
  pipe: undefined,
  envoyInternalAddress: undefined,
});

/**
 * A listener's address; `dualStack` (EnvoyProxy ipFamily DualStack) lets a socket bound to `::`
 * take IPv4 connections too.
 */
export const listenerAddress = (
  address: string,
  portValue: number,
  protocol: SocketAddress_Protocol,
  dualStack: boolean,
): Address =>
  Address.fromPartial({
    socketAddress: { address, portValue, protocol, ...(dualStack ? { ipv4Compat: true } : {}) },
  });

/** `{ name, typed_config }` with the config packed into an Any. */
export const typedConfig = <T>(
  name: string,
  codec: MessageCodec<T>,
  message: T,
): TypedExtensionConfig => ({ name, typedConfig: packAny(codec, message) });

/** Fetch a resource over the ADS stream (https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#aggregated-discovery-service). */
export const adsConfigSource = (): ConfigSource =>
  ConfigSource.fromPartial({ ads: {}, resourceApiVersion: ApiVersion.V3 });

/** An SDS reference: over ADS, or by name to a bootstrap's static secrets. */
export const sdsSecret = (name: string, mode: XdsMode): SdsSecretConfig =>
  mode === 'ads' ? { name, sdsConfig: adsConfigSource() } : { name };

/** The SDS Secret holding a certificate and its key, inline (listener and backend client certificates). */
export const certificateSecret = (certificate: TLSCertificate): Secret =>
  Secret.fromPartial({
    name: certificate.name,
    tlsCertificate: {
      certificateChain: { inlineString: certificate.certificate },
      privateKey: { inlineString: certificate.privateKey },
    },
  });

/**
 * `message` and every object in it frozen: for a part many resources share (one object instead
 * of one per route or cluster); output messages are never mutated, and a frozen one says so.
 */
export const shared = <T>(message: T): T => {
  if (message !== null && typeof message === 'object' && !Object.isFrozen(message)) {
    for (const value of Object.values(message)) shared(value);
    Object.freeze(message);
  }
  return message;
};
