// SecurityPolicy authorization by client IP geolocation (EnvoyProxy geoIP), through egts and real
// Envoy. AuthzWithGeoIPCountry re-expresses Envoy Gateway's authorization_geoip.go with its own
// manifest and database (MaxMind's GeoIP2-Country-Test, carried in the manifest's ConfigMap):
// there the ConfigMap is a volume of the proxy pod; a local Envoy has no pod, so the database is
// written to a local file and the EnvoyProxy's path points at it (the pod settings are dropped).
// EgtsAuthzWithGeoIPFields matches every other field on databases written for it
// (scripts/mmdb-writer), and checks that a client cannot send the internal headers itself.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  type KubeObject,
  type StatusExpectation,
} from '../../conformanceTest.js';
import { parseManifests } from '../../internal/cluster.js';
import { GATEWAY_CLASS_NAME } from '../../internal/harness.js';
import { writeMmdb } from '../../internal/mmdbWriter.js';

const v1 = { backend: 'infra-backend-v1', namespace: infra };

const send = (
  gateway: string,
  path: string,
  status: number,
  headers: Record<string, string> = {},
): HttpExpectation => ({
  gateway: gw(gateway),
  request: { path, headers },
  status,
  ...(status === 200 ? v1 : {}),
});

const policyAccepted = (gateway: string, names: string[]): StatusExpectation[] =>
  names.map((name) => ({
    kind: 'SecurityPolicy' as const,
    namespace: infra,
    name,
    ancestors: [
      { gateway: gw(gateway), conditions: [{ type: 'Accepted', status: 'True' as const }] },
    ],
  }));

const gatewayAccepted = (gateway: string, routes: string[]): StatusExpectation[] => [
  {
    kind: 'Gateway',
    namespace: infra,
    name: gateway,
    conditions: [
      { type: 'Accepted', status: 'True' },
      { type: 'Programmed', status: 'True' },
    ],
  },
  ...routes.map(
    (route): StatusExpectation => ({
      kind: 'HTTPRoute',
      namespace: infra,
      name: route,
      parents: [{ gateway: gw(gateway), conditions: [{ type: 'Accepted', status: 'True' }] }],
    }),
  ),
];

/** A folder of its own for a test's databases (Envoy reads them by path). */
const databaseFolder = () => mkdtempSync(join(tmpdir(), 'egts-geoip-'));

export const authzWithGeoIPCountry = (suiteDir: string): ConformanceTest => ({
  name: 'AuthzWithGeoIPCountry',
  description: 'Authorization with GeoIP country match',
  features: ['SecurityPolicy', 'Authorization'],
  manifests: [],
  steps: async (harness) => {
    const text = readFileSync(join(suiteDir, 'testdata/authorization-geoip-country.yaml'), 'utf8');
    const objects = parseManifests(text, { '{GATEWAY_CLASS_NAME}': GATEWAY_CLASS_NAME });
    const configMap = objects.find((o) => o.kind === 'ConfigMap');
    const database = (configMap?.binaryData as Record<string, string> | undefined)?.[
      'GeoIP-Country-Test.mmdb'
    ];
    if (!database) throw new Error('the manifest has no GeoIP-Country-Test.mmdb');
    const path = join(databaseFolder(), 'GeoIP-Country-Test.mmdb');
    writeFileSync(path, Buffer.from(database, 'base64'));
    const local = objects.flatMap((o): KubeObject[] => {
      if (o.kind === 'ConfigMap') return [];
      if (o.kind !== 'EnvoyProxy') return [o];
      const { provider: _pod, ...spec } = o.spec as Record<string, unknown>;
      const geoIP = {
        provider: { type: 'MaxMind', maxMind: { countryDbSource: { local: { path } } } },
      };
      return [{ ...o, spec: { ...spec, geoIP } }];
    });
    await harness.apply(local);
    const gateway = 'geoip-authz-gateway';
    await harness.expectStatuses([
      ...gatewayAccepted(gateway, ['http-with-authorization-geoip-country']),
      ...policyAccepted(gateway, ['authorization-geoip-country']),
    ]);
    await harness.expectRequests([
      // GeoIP2-Country-Test.mmdb: US, then GB; no client address to look up: the default, Deny.
      send(gateway, '/geo-country', 200, { 'X-Forwarded-For': '50.114.0.1' }),
      send(gateway, '/geo-country', 403, { 'X-Forwarded-For': '81.2.69.160' }),
      send(gateway, '/geo-country', 403),
    ]);
  },
});

const FIELDS_GATEWAY = 'egts-geoip-fields';

/** Records as MaxMind's databases hold them (the keys Envoy's MaxMind provider reads). */
const DATABASES = {
  city: {
    databaseType: 'GeoIP2-City',
    records: [
      {
        network: '2.125.160.0/24',
        data: {
          country: { iso_code: 'GB' },
          subdivisions: [{ iso_code: 'ENG' }],
          city: { names: { en: 'Boxford' } },
        },
      },
      {
        network: '89.160.20.0/24',
        data: {
          country: { iso_code: 'SE' },
          subdivisions: [{ iso_code: 'E' }],
          city: { names: { en: 'Linköping' } },
        },
      },
    ],
  },
  asn: {
    databaseType: 'GeoLite2-ASN',
    records: [
      {
        network: '1.128.0.0/11',
        data: { autonomous_system_number: 1221, autonomous_system_organization: 'Telstra' },
      },
    ],
  },
  isp: {
    databaseType: 'GeoIP2-ISP',
    records: [
      {
        network: '149.101.100.0/28',
        data: { isp: 'Verizon Wireless', autonomous_system_number: 6167 },
      },
    ],
  },
  anonymous: {
    databaseType: 'GeoIP2-Anonymous-IP',
    records: [
      { network: '1.2.0.0/24', data: { is_anonymous: true, is_anonymous_vpn: true } },
      { network: '1.2.1.0/24', data: { is_anonymous: true, is_tor_exit_node: true } },
      { network: '1.2.2.0/24', data: { is_anonymous: true, is_public_proxy: true } },
      { network: '1.2.3.0/24', data: { is_anonymous: true, is_hosting_provider: true } },
      { network: '1.2.4.0/24', data: { is_anonymous: true } },
    ],
  },
} as const;

const fieldsRoute = (name: string): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: infra },
  spec: {
    parentRefs: [{ name: FIELDS_GATEWAY }],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: `/${name}` } }],
        backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
      },
    ],
  },
});

const fieldsPolicy = (name: string, authorization: Record<string, unknown>): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'SecurityPolicy',
  metadata: { name, namespace: infra },
  spec: {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name }],
    authorization,
  },
});

const allowOnly = (...clientIPGeoLocations: Array<Record<string, unknown>>) => ({
  defaultAction: 'Deny',
  rules: [{ action: 'Allow', principal: { clientIPGeoLocations } }],
});

const denyEach = (...locations: Array<Record<string, unknown>>) => ({
  defaultAction: 'Allow',
  rules: locations.map((location) => ({
    action: 'Deny',
    principal: { clientIPGeoLocations: [location] },
  })),
});

/** The policies, each on a route of the same name. */
const FIELD_POLICIES: Record<string, Record<string, unknown>> = {
  'geo-region': allowOnly({ region: 'eng' }),
  'geo-city': allowOnly({ city: 'boxford' }),
  'geo-asn': allowOnly({ asn: 1221 }),
  'geo-isp': allowOnly({ isp: 'verizon wireless' }),
  // Fields of one location must all match; any location will do.
  'geo-any': allowOnly({ country: 'GB', city: 'Boxford' }, { asn: 1221 }),
  'geo-anon-kinds': denyEach(
    { anonymous: { isVPN: true } },
    { anonymous: { isTor: true } },
    { anonymous: { isProxy: true } },
    { anonymous: { isHosting: true } },
  ),
  'geo-anonymous': denyEach({ anonymous: { isAnonymous: true } }),
};

const xff = (address: string) => ({ 'X-Forwarded-For': address });
const BOXFORD = xff('2.125.160.216');
const LINKOPING = xff('89.160.20.112');
const TELSTRA = xff('1.128.0.1');
const VERIZON = xff('149.101.100.1');

export const authzWithGeoIPFields: ConformanceTest = {
  name: 'EgtsAuthzWithGeoIPFields',
  description:
    'Authorization on GeoIP region, city, ASN, ISP and anonymity; internal headers sent by a client are ignored',
  features: ['SecurityPolicy', 'Authorization'],
  manifests: [],
  steps: async (harness) => {
    const folder = databaseFolder();
    const sources: Record<string, { local: { path: string } }> = {};
    for (const [kind, spec] of Object.entries(DATABASES)) {
      const path = join(folder, `${kind}.mmdb`);
      writeMmdb(path, spec);
      sources[`${kind === 'anonymous' ? 'anonymousIp' : kind}DbSource`] = { local: { path } };
    }
    const names = Object.keys(FIELD_POLICIES);
    await harness.apply([
      {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'EnvoyProxy',
        metadata: { name: FIELDS_GATEWAY, namespace: infra },
        spec: { geoIP: { provider: { type: 'MaxMind', maxMind: sources } } },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: FIELDS_GATEWAY, namespace: infra },
        spec: {
          gatewayClassName: GATEWAY_CLASS_NAME,
          infrastructure: {
            parametersRef: {
              group: 'gateway.envoyproxy.io',
              kind: 'EnvoyProxy',
              name: FIELDS_GATEWAY,
            },
          },
          listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }],
        },
      },
      {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'ClientTrafficPolicy',
        metadata: { name: FIELDS_GATEWAY, namespace: infra },
        spec: {
          clientIPDetection: { xForwardedFor: { numTrustedHops: 1 } },
          targetRefs: [
            { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: FIELDS_GATEWAY },
          ],
        },
      },
      ...names.map(fieldsRoute),
      ...names.map((name) => fieldsPolicy(name, FIELD_POLICIES[name] as Record<string, unknown>)),
    ]);
    await harness.expectStatuses([
      ...gatewayAccepted(FIELDS_GATEWAY, names),
      ...policyAccepted(FIELDS_GATEWAY, names),
    ]);
    const g = FIELDS_GATEWAY;
    await harness.expectRequests([
      send(g, '/geo-region', 200, BOXFORD),
      send(g, '/geo-region', 403, LINKOPING),
      // The internal header a lookup would write, sent by the client: removed before the lookup.
      send(g, '/geo-region', 403, { ...xff('9.9.9.9'), 'x-eg-internal-geoip-region': 'ENG' }),
      send(g, '/geo-city', 200, BOXFORD),
      send(g, '/geo-city', 403, LINKOPING),
      send(g, '/geo-asn', 200, TELSTRA),
      send(g, '/geo-asn', 403, BOXFORD),
      send(g, '/geo-isp', 200, VERIZON),
      send(g, '/geo-isp', 403, TELSTRA),
      send(g, '/geo-any', 200, BOXFORD),
      send(g, '/geo-any', 200, TELSTRA),
      send(g, '/geo-any', 403, LINKOPING),
      send(g, '/geo-anon-kinds', 403, xff('1.2.0.1')),
      send(g, '/geo-anon-kinds', 403, xff('1.2.1.1')),
      send(g, '/geo-anon-kinds', 403, xff('1.2.2.1')),
      send(g, '/geo-anon-kinds', 403, xff('1.2.3.1')),
      send(g, '/geo-anon-kinds', 200, xff('1.2.4.1')),
      send(g, '/geo-anonymous', 403, xff('1.2.4.1')),
      send(g, '/geo-anonymous', 200, BOXFORD),
    ]);
  },
};
