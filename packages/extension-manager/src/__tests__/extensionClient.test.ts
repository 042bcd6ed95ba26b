// How egts reaches an extension: the gRPC target of each `service` form, Envoy Gateway's retry
// policy with its defaults, and maxMessageSize quantities.
import { describe, expect, it } from 'vitest';
import { extensionTarget } from '../index.js';
import { quantityBytes } from '../internal/quantity.js';
import { grpcDuration, serviceConfig } from '../internal/serviceConfig.js';

describe('extensionTarget', () => {
  it('dials fqdn, ip (IPv6 in brackets), unix sockets and the deprecated host/port', () => {
    expect(extensionTarget({ fqdn: { hostname: 'ext.example', port: 5005 } })).toBe(
      'ext.example:5005',
    );
    expect(extensionTarget({ ip: { address: '10.0.0.1', port: 1 } })).toBe('10.0.0.1:1');
    expect(extensionTarget({ ip: { address: '::1', port: 2 } })).toBe('[::1]:2');
    expect(extensionTarget({ unix: { path: '/run/ext.sock' } })).toBe('unix:/run/ext.sock');
    expect(extensionTarget({ host: 'legacy' })).toBe('legacy:80');
    expect(() => extensionTarget({})).toThrow(/fqdn, ip or unix/);
  });
});

describe('serviceConfig', () => {
  it("is Envoy Gateway's retry policy, overridden by service.retry", () => {
    const defaults = JSON.parse(serviceConfig({})).methodConfig[0];
    expect(defaults).toMatchObject({
      name: [{ service: 'envoygateway.extension.EnvoyGatewayExtension' }],
      waitForReady: true,
      retryPolicy: {
        maxAttempts: 4,
        initialBackoff: '0.1s',
        maxBackoff: '1s',
        backoffMultiplier: 2,
        retryableStatusCodes: ['UNAVAILABLE'],
      },
    });
    const custom = JSON.parse(
      serviceConfig({
        retry: {
          maxAttempts: 3,
          initialBackoff: '200ms',
          maxBackoff: '1m30s',
          backoffMultiplier: { numerator: 3, denominator: 2 },
          RetryableStatusCodes: ['UNAVAILABLE', 'INTERNAL'],
        },
      }),
    ).methodConfig[0].retryPolicy;
    expect(custom).toEqual({
      maxAttempts: 3,
      initialBackoff: '0.2s',
      maxBackoff: '90s',
      backoffMultiplier: 1.5,
      retryableStatusCodes: ['UNAVAILABLE', 'INTERNAL'],
    });
    expect(grpcDuration('1h')).toBe('3600s');
  });
});

describe('quantityBytes', () => {
  it('reads Kubernetes quantities', () => {
    expect(quantityBytes('4M')).toBe(4_000_000);
    expect(quantityBytes('8Mi')).toBe(8 * 1024 * 1024);
    expect(quantityBytes('512k')).toBe(512_000);
    expect(quantityBytes(1024)).toBe(1024);
    expect(() => quantityBytes('4 MB')).toThrow(/quantity/);
  });
});
