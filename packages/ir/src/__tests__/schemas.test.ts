// The IR schemas accept well-formed IR and reject what the xds-translator could not use.
import { describe, expect, it } from 'vitest';
import { InfraIRSchema, type XdsIR, XdsIRSchema } from '../index.js';

const xds: XdsIR = {
  name: 'default/gw',
  http: [
    {
      name: 'default/gw/http',
      address: '0.0.0.0',
      port: 10080,
      externalPort: 80,
      hostnames: ['*'],
      routes: [
        {
          name: 'httproute/default/r/rule/0/match/0/*',
          hostname: '*',
          pathMatch: { type: 'PathPrefix', value: '/api' },
          headerMatches: [],
          queryParamMatches: [],
          addRequestHeaders: [{ name: 'x-a', value: '1', append: false }],
          removeRequestHeaders: [],
          addResponseHeaders: [],
          removeResponseHeaders: [],
          mirrors: [],
          destination: {
            name: 'httproute/default/r/rule/0',
            settings: [
              {
                name: 'httproute/default/r/rule/0/backend/0',
                weight: 1,
                protocol: 'HTTP',
                addressType: 'IP',
                endpoints: [{ host: '10.0.0.1', port: 8080, ready: true }],
              },
            ],
          },
          grpc: false,
          source: { kind: 'HTTPRoute', namespace: 'default', name: 'r' },
        },
      ],
    },
  ],
  tcp: [],
  udp: [],
};

describe('IR schemas', () => {
  it('accept a well-formed xDS IR', () => {
    expect(XdsIRSchema.parse(xds)).toEqual(xds);
  });

  it('reject an unknown match type and a fractional port', () => {
    const badMatch = structuredClone(xds) as unknown as {
      http: { routes: { pathMatch: { type: string } }[] }[];
    };
    const route = badMatch.http[0]?.routes[0];
    if (route) route.pathMatch.type = 'Glob';
    expect(XdsIRSchema.safeParse(badMatch).success).toBe(false);
    expect(XdsIRSchema.safeParse({ ...xds, http: [{ ...xds.http[0], port: 80.5 }] }).success).toBe(
      false,
    );
  });

  it('require owner and ports in the Infra IR', () => {
    const proxy = {
      name: 'default/gw',
      namespace: 'envoy-gateway-system',
      owner: { gatewayClass: 'eg', gatewayNamespace: 'default', gatewayName: 'gw' },
      labels: {},
      annotations: {},
      listeners: [
        {
          name: 'default/gw/http',
          ports: [{ name: 'http-80', protocol: 'HTTP', containerPort: 10080, servicePort: 80 }],
        },
      ],
      addresses: [],
    };
    expect(InfraIRSchema.parse({ proxies: [proxy] }).proxies).toHaveLength(1);
    expect(InfraIRSchema.safeParse({ proxies: [{ ...proxy, owner: undefined }] }).success).toBe(
      false,
    );
  });
});
