// SecurityPolicy CORS settings CORSFromSecurityPolicy does not check: allowCredentials and maxAge
// (the preflight answer's Access-Control-Allow-Credentials and Access-Control-Max-Age), through
// egts and real Envoy.
import { type ConformanceTest, gw, infra } from '../../conformanceTest.js';

const ORIGIN = 'https://app.example.com';

export const corsCredentialsMaxAge: ConformanceTest = {
  name: 'EgtsCORSCredentialsMaxAge',
  description: 'A SecurityPolicy CORS preflight answer allows credentials and is cached maxAge',
  features: ['SecurityPolicy', 'CORS'],
  manifests: [],
  objects: [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'egts-cors-credentials', namespace: infra },
      spec: {
        parentRefs: [{ name: 'same-namespace' }],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/egts-cors-credentials' } }],
            backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
          },
        ],
      },
    },
    {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'SecurityPolicy',
      metadata: { name: 'egts-cors-credentials', namespace: infra },
      spec: {
        targetRefs: [
          { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'egts-cors-credentials' },
        ],
        cors: {
          allowOrigins: [ORIGIN],
          allowMethods: ['GET'],
          allowCredentials: true,
          maxAge: '1h',
        },
      },
    },
  ],
  statuses: [
    {
      kind: 'SecurityPolicy',
      namespace: infra,
      name: 'egts-cors-credentials',
      ancestors: [
        { gateway: gw('same-namespace'), conditions: [{ type: 'Accepted', status: 'True' }] },
      ],
    },
  ],
  requests: [
    {
      request: {
        path: '/egts-cors-credentials',
        method: 'OPTIONS',
        headers: { Origin: ORIGIN, 'access-control-request-method': 'GET' },
      },
      status: 200,
      validResponseHeaders: {
        'access-control-allow-origin': [ORIGIN],
        'access-control-allow-credentials': ['true'],
        'access-control-max-age': ['3600'],
      },
    },
  ],
};
