// Two destinations under one cluster name (hand-built IR; the gatewayapi-translator never names
// two different clusters alike): the first added wins, and the second, never built by a one-shot
// translation, brings nothing. The stateful translator builds each route alone, so the second
// cluster's Secret (its backend CA) came along; it must give what translateXds gives.
import { describe, expect, it } from 'vitest';
import { createXdsTranslator, translateXds } from '../index.js';
import { backendSetting, fleetIR, httpRoute } from './irFixtures.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** Route `name` to cluster `shared/dest`, over TLS (CA of policy `default/tls`) when `tls`. */
const routeTo = (name: string, prefix: string, tls: boolean) =>
  httpRoute(name, prefix, {
    destination: {
      name: 'shared/dest',
      settings: [
        {
          ...backendSetting('shared/dest/backend/0', tls ? '10.0.0.2' : '10.0.0.1'),
          ...(tls
            ? {
                tls: {
                  sni: 'backend.example.com',
                  caCertificate: CA,
                  useSystemTrustStore: false,
                  subjectAltNames: [],
                  policy: 'default/tls',
                },
              }
            : {}),
        },
      ],
    },
  });

const names = (list: readonly { name: string }[]) => list.map((item) => item.name);

describe('clusters under one name', () => {
  it('the stateful translator brings no Secret of a cluster that lost its name', () => {
    const ir = fleetIR([routeTo('plain', '/a', false), routeTo('tls', '/b', true)]);
    const once = translateXds(ir);
    expect(names(once.clusters)).toEqual(['shared/dest']);
    expect(once.clusters[0]?.transportSocket).toBeUndefined();
    expect(names(once.secrets)).toEqual([]);
    const stateful = createXdsTranslator().update(ir.name, ir);
    expect(names(stateful.clusters)).toEqual(['shared/dest']);
    expect(names(stateful.secrets)).toEqual(names(once.secrets));
    expect(stateful).toEqual(once);
  });

  it('keeps the Secret when the cluster that needs it wins the name', () => {
    const ir = fleetIR([routeTo('tls', '/b', true), routeTo('plain', '/a', false)]);
    const once = translateXds(ir);
    expect(names(once.secrets)).toEqual(['default/tls/ca']);
    expect(createXdsTranslator().update(ir.name, ir)).toEqual(once);
  });
});
