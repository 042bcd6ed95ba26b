// GEP-3155: a Gateway's proxies present its spec.tls.backend.clientCertificateRef to every backend
// they reach over TLS (a BackendTLSPolicy). Routes are translated once for all the Gateways they
// attach to, so the certificate is added per Gateway when its IR is built. Copies are memoized by
// destination and certificate, so an unchanged route keeps handing out the same objects (the xDS
// translator's caches key on them).
import type { HTTPRouteIR, RouteDestination, TLSCertificate } from '@egts/ir';

const copies = new WeakMap<RouteDestination, Map<string, RouteDestination>>();

function withCertificate(destination: RouteDestination, cert: TLSCertificate): RouteDestination {
  if (!destination.settings.some((s) => s.tls !== undefined)) return destination;
  const key = `${cert.name}\n${cert.certificate}\n${cert.privateKey}`;
  let byCertificate = copies.get(destination);
  const cached = byCertificate?.get(key);
  if (cached) return cached;
  const copy: RouteDestination = {
    ...destination,
    settings: destination.settings.map((s) =>
      s.tls ? { ...s, tls: { ...s.tls, clientCertificate: cert } } : s,
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

/** The route's destination and mirrors with the Gateway's backend client certificate, if any. */
export function withBackendClientCertificate<T extends RouteTemplate>(
  template: T,
  cert: TLSCertificate | undefined,
): T {
  if (!cert) return template;
  return {
    ...template,
    ...(template.destination ? { destination: withCertificate(template.destination, cert) } : {}),
    mirrors: template.mirrors.map((m) => ({
      ...m,
      destination: withCertificate(m.destination, cert),
    })),
  };
}
