// EnvoyProxy geoIP as Envoy filters: the geoip filter (MaxMind provider, only the fields the rules
// use, the client address as the ClientTrafficPolicy names it) after a header_mutation that
// removes the internal headers a client may send; RBAC compares those headers.
import { Geoip, HeaderMutationFilter, MaxMindConfig } from '@egts/envoy-api';
import type { AuthorizationRule, HTTPListener } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { geoipFilter } from '../internal/httpfilters/geoip.js';
import { authorizationRules } from '../internal/httpfilters/rbac.js';

const rule: AuthorizationRule = {
  name: 'r',
  action: 'Allow',
  clientCIDRs: [],
  headers: [],
  methods: [],
  geoLocations: [{ country: 'US', anonymous: { isVPN: false } }, { asn: 1221 }],
};

const listener = (clientIPDetection: object, geoIP?: HTTPListener['geoIP']) =>
  ({
    routes: [{ security: { authorization: { defaultAction: 'Deny', rules: [rule] } } }],
    clientTraffic: { clientIPDetection },
    ...(geoIP ? { geoIP } : {}),
  }) as unknown as HTTPListener;

const maxMind = {
  countryDbPath: '/db/country.mmdb',
  asnDbPath: '/db/asn.mmdb',
  anonymousIpDbPath: '/db/anon.mmdb',
};

describe('geoip filter', () => {
  it('removes the internal headers, then looks up only the fields the rules use', () => {
    const filters = geoipFilter.patchListener(
      [listener({ xffNumTrustedHops: 2 }, { maxMind })],
      'ads',
    );
    expect(filters.map((f) => f.name)).toEqual([
      'envoy.filters.http.geoip/remove-internal-headers',
      'envoy.filters.http.geoip',
    ]);
    const removed = HeaderMutationFilter.decode(filters[0]!.typedConfig!.value);
    expect(removed.mutations?.requestMutations.map((m) => m.remove)).toEqual([
      'x-eg-internal-geoip-country',
      'x-eg-internal-geoip-asn',
      'x-eg-internal-geoip-anon-vpn',
    ]);
    const geoip = Geoip.decode(filters[1]!.typedConfig!.value);
    expect(geoip.xffConfig?.xffNumTrustedHops).toBe(2);
    const provider = MaxMindConfig.decode(geoip.provider!.typedConfig!.value);
    expect(provider).toMatchObject({
      countryDbPath: '/db/country.mmdb',
      asnDbPath: '/db/asn.mmdb',
      anonDbPath: '/db/anon.mmdb',
    });
    expect(provider.commonProviderConfig?.geoFieldKeys).toMatchObject({
      country: 'x-eg-internal-geoip-country',
      asn: 'x-eg-internal-geoip-asn',
      anonVpn: 'x-eg-internal-geoip-anon-vpn',
      city: '',
    });
  });

  it('reads a custom header, or the peer for directSourceIP', () => {
    const custom = geoipFilter.patchListener(
      [listener({ customHeader: { name: 'x-client', failClosed: false } }, { maxMind })],
      'ads',
    );
    expect(Geoip.decode(custom[1]!.typedConfig!.value).customHeaderConfig?.headerName).toBe(
      'x-client',
    );
    const direct = Geoip.decode(
      geoipFilter.patchListener([listener({ directSource: true }, { maxMind })], 'ads')[1]!
        .typedConfig!.value,
    );
    expect(direct.xffConfig).toBeUndefined();
    expect(direct.customHeaderConfig).toBeUndefined();
  });

  it('adds nothing without a provider (the policy is refused upstream)', () => {
    expect(geoipFilter.patchListener([listener({ xffNumTrustedHops: 1 })], 'ads')).toEqual([]);
  });

  it('matches a location when all its fields match, any location', () => {
    const [principal] = authorizationRules({ defaultAction: 'Deny', rules: [rule] }).policies
      .authorization!.principals;
    expect(principal).toMatchObject({
      orIds: {
        ids: [
          {
            andIds: {
              ids: [
                {
                  header: {
                    name: 'x-eg-internal-geoip-country',
                    stringMatch: { exact: 'US', ignoreCase: true },
                  },
                },
                {
                  header: {
                    name: 'x-eg-internal-geoip-anon-vpn',
                    stringMatch: { exact: 'false', ignoreCase: false },
                  },
                },
              ],
            },
          },
          {
            header: {
              name: 'x-eg-internal-geoip-asn',
              stringMatch: { exact: '1221', ignoreCase: false },
            },
          },
        ],
      },
    });
  });
});
