// BackendTrafficPolicy `routingType: Service`: a Service backend is reached at its cluster IP and
// Service port (kube-proxy or the CNI balances), not at its EndpointSlice endpoints, as Envoy
// Gateway's RoutingType does. The cluster IP of each resolved Service setting is kept here, per
// translation, by setting name, so the IR stays as it was for routes that keep endpoint routing.
import type { DestinationSetting, Endpoint, RouteDestination } from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';

const byContext = new WeakMap<TranslatorContext, Map<string, Endpoint>>();

/** Record where a Service setting is reached with Service routing (no cluster IP: nowhere). */
export function recordServiceAddress(
  ctx: TranslatorContext,
  settingName: string,
  clusterIP: unknown,
  port: number,
): void {
  if (typeof clusterIP !== 'string' || clusterIP === '' || clusterIP === 'None') return;
  let addresses = byContext.get(ctx);
  if (addresses === undefined) {
    addresses = new Map();
    byContext.set(ctx, addresses);
  }
  addresses.set(settingName, { host: clusterIP, port, ready: true });
}

const routed = new WeakMap<RouteDestination, RouteDestination>();

/**
 * The destination with Service routing: each Service setting's endpoints become its cluster IP
 * and Service port; settings without one (Backends, headless Services) keep their endpoints.
 */
export function withServiceRouting(
  ctx: TranslatorContext,
  destination: RouteDestination,
): RouteDestination {
  const addresses = byContext.get(ctx);
  if (addresses === undefined) return destination;
  let out = routed.get(destination);
  if (out !== undefined) return out;
  let changed = false;
  const settings = destination.settings.map((setting): DestinationSetting => {
    const address = addresses.get(setting.name);
    if (address === undefined) return setting;
    changed = true;
    return { ...setting, addressType: 'IP', endpoints: [address] };
  });
  out = changed ? { ...destination, settings } : destination;
  routed.set(destination, out);
  return out;
}
