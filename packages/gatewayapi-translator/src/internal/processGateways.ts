// Step 2: build a GatewayContext for every Gateway of an accepted GatewayClass of ours and
// check what belongs to the Gateway itself: infrastructure parameters, addresses, and the
// backend client certificate (Gateway ResolvedRefs, GEP-3155).
import { isIP } from 'node:net';
import type { Gateway } from '@egts/api';
import { GatewayContext } from './context/gatewayContext.js';
import { ListenerContext } from './context/listenerContext.js';
import type { TranslatorContext } from './context/translatorContext.js';
import { parseTLSSecret } from './listeners/certificates.js';
import { resolveEnvoyProxyBackendTLS } from './policies/envoyProxyBackendTls.js';
import { gatewayEnvoyProxy } from './policies/envoyProxyMerge.js';
import {
  envoyProxyGatewayProblem,
  envoyProxySpecProblem,
} from './policies/validation/validateEnvoyProxy.js';
import { isReferenceAllowed } from './referenceGrants.js';
import { ENVOY_GATEWAY_GROUP, GATEWAY_GROUP, nsName } from './types.js';

function resolveEnvoyProxy(
  ctx: TranslatorContext,
  gw: GatewayContext,
  classProxy: GatewayContext['envoyProxy'],
): void {
  const ref = gw.resource.spec.infrastructure?.parametersRef;
  if (!ref) {
    gw.envoyProxy = classProxy;
    return;
  }
  const found =
    ref.group === ENVOY_GATEWAY_GROUP && ref.kind === 'EnvoyProxy'
      ? ctx.envoyProxies.get(nsName(gw.namespace, ref.name))
      : undefined;
  if (!found) {
    gw.conditions.set(
      'Accepted',
      'False',
      'InvalidParameters',
      `infrastructure.parametersRef ${ref.kind} ${ref.name} not found or not an EnvoyProxy.`,
    );
    gw.envoyProxy = classProxy;
    return;
  }
  gw.ownEnvoyProxy = found;
  gw.envoyProxy = gatewayEnvoyProxy(classProxy, found);
}

/**
 * An invalid EnvoyProxy (the class's or the Gateway's own) makes the Gateway InvalidParameters;
 * its listeners and routes are still translated, as in Envoy Gateway.
 */
function validateEnvoyProxy(
  ctx: TranslatorContext,
  gw: GatewayContext,
  classProblem: string | undefined,
): void {
  if (!gw.envoyProxy || gw.conditions.isFalse('Accepted')) return;
  const own = gw.resource.spec.infrastructure?.parametersRef !== undefined;
  const problem =
    (own ? envoyProxySpecProblem(gw.envoyProxy) : classProblem) ??
    envoyProxyGatewayProblem(ctx, gw.envoyProxy);
  if (problem) gw.conditions.set('Accepted', 'False', 'InvalidParameters', problem);
}

function validateAddresses(gw: GatewayContext): void {
  for (const address of gw.resource.spec.addresses ?? []) {
    const type = address.type ?? 'IPAddress';
    if (type !== 'IPAddress' && type !== 'Hostname') {
      gw.conditions.set(
        'Accepted',
        'False',
        'UnsupportedAddress',
        `Address type ${type} is not supported, only IPAddress and Hostname are.`,
      );
      return;
    }
    if (type === 'IPAddress' && address.value !== undefined && isIP(address.value) === 0) {
      gw.conditions.set(
        'Programmed',
        'False',
        'AddressNotUsable',
        `${address.value} is not a valid IP address.`,
      );
    }
  }
}

function validateBackendClientCertificate(ctx: TranslatorContext, gw: GatewayContext): void {
  const ref = gw.resource.spec.tls?.backend?.clientCertificateRef;
  if (!ref) return;
  const fail = (reason: string, message: string) =>
    gw.conditions.set('ResolvedRefs', 'False', reason, message);
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') {
    fail('InvalidClientCertificateRef', 'Client certificate ref must be a core Secret.');
    return;
  }
  const namespace = ref.namespace || gw.namespace;
  if (
    !isReferenceAllowed(
      ctx,
      { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gw.namespace },
      { group: '', kind: 'Secret', namespace, name: ref.name },
    )
  ) {
    fail(
      'RefNotPermitted',
      `Client certificate ref to ${namespace}/${ref.name} not permitted by any ReferenceGrant.`,
    );
    return;
  }
  const secret = ctx.secrets.get(nsName(namespace, ref.name));
  if (!secret) {
    fail('InvalidClientCertificateRef', `Secret ${namespace}/${ref.name} does not exist.`);
    return;
  }
  const parsed = parseTLSSecret(secret, ctx.options.now);
  if (typeof parsed === 'string') {
    fail('InvalidClientCertificateRef', `Secret ${parsed}.`);
    return;
  }
  gw.backendClientCertificate = {
    // Apart from the listener certificate secrets, which the same Secret may also be.
    name: `${parsed.secretKey}/client`,
    certificate: parsed.certificatePem,
    privateKey: parsed.privateKeyPem,
  };
}

export function processGateways(ctx: TranslatorContext): void {
  for (const gateway of ctx.resources.gateways as Gateway[]) {
    const gc = ctx.gatewayClasses.get(gateway.spec.gatewayClassName);
    if (!gc?.accepted) continue;
    const gw = new GatewayContext(gateway, gateway.spec.gatewayClassName);
    if (ctx.gatewaysByKey.has(gw.key)) continue;
    resolveEnvoyProxy(ctx, gw, gc.envoyProxy);
    validateEnvoyProxy(ctx, gw, gc.parametersProblem);
    validateAddresses(gw);
    validateBackendClientCertificate(ctx, gw);
    resolveEnvoyProxyBackendTLS(ctx, gw);
    for (const listener of gateway.spec.listeners ?? []) {
      gw.listeners.push(
        new ListenerContext(listener, gw, undefined, gateway.metadata.generation ?? undefined),
      );
    }
    ctx.gateways.push(gw);
    ctx.gatewaysByKey.set(gw.key, gw);
  }
}
