// GEP-3155: a Gateway's proxies present its spec.tls.backend.clientCertificateRef (or its
// EnvoyProxy's backendTLS.clientCertificateRef) to every backend they reach over TLS (a
// BackendTLSPolicy), with the EnvoyProxy's backendTLS parameters where the backend sets none. Routes are translated once for all the Gateways they
// attach to, so the certificate is added per Gateway when its IR is built. Copies are memoized by
// destination and certificate, so an unchanged route keeps handing out the same objects (the xDS
// translator's caches key on them).
import type { HTTPRouteIR, RouteDestination, TLSCertificate } from '@egts/ir';
import type { BackendTLSDefaults } from '../policies/envoyProxyBackendTls.js';

const copies = new WeakMap<RouteDestination, Map<string, RouteDestination>>();

function withBackendTLS(
  destination: RouteDestination,
  cert: TLSCertificate | undefined,
  defaults: BackendTLSDefaults | undefined,
): RouteDestination {
  if (!destination.settings.some((s) => s.tls !== undefined)) return destination;
  const key = `${cert ? `${cert.name}\n${cert.certificate}\n${cert.privateKey}` : ''}\n${JSON.stringify(defaults ?? {})}`;
  let byCertificate = copies.get(destination);
  const cached = byCertificate?.get(key);
  if (cached) return cached;
  const copy: RouteDestination = {
    ...destination,
    settings: destination.settings.map((s) =>
      s.tls
        ? {
            ...s,
            // The backend's own parameters win over the EnvoyProxy's.
            tls: { ...defaults, ...s.tls, ...(cert ? { clientCertificate: cert } : {}) },
          }
        : s,
    ),
  };
  if (!byCertificate) {
    byCertificate = new Map();
    copies.set(destination, byCertificate);
  }
  byCertificate.set(key, copy);
  return copy;
}

type RouteTemplate = Omit<HTTPRouteIR, 'name' | 'hostname'>;

/**
 * The route's destination and mirrors with the Gateway's backend client certificate and the
 * EnvoyProxy's backend TLS parameters, if any.
 */
export function withBackendClientCertificate<T extends RouteTemplate>(
  template: T,
  cert: TLSCertificate | undefined,
  defaults?: BackendTLSDefaults,
): T {
  if (!cert && !defaults) return template;
  return {
    ...template,
    ...(template.destination
      ? { destination: withBackendTLS(template.destination, cert, defaults) }
      : {}),
    mirrors: template.mirrors.map((m) => ({
      ...m,
      destination: withBackendTLS(m.destination, cert, defaults),
    })),
  };
}
