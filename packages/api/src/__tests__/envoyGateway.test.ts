import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROLLER_NAME, extensionManagerOf, loadEnvoyGatewayConfig } from '../index.js';

describe('loadEnvoyGatewayConfig', () => {
  it('gives Envoy Gateway defaults when there is no file', () => {
    const { config, problems } = loadEnvoyGatewayConfig(undefined, 'none');
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      gateway: { controllerName: DEFAULT_CONTROLLER_NAME },
      provider: { type: 'Kubernetes' },
      logging: { level: { default: 'info' } },
      admin: { address: { host: '127.0.0.1', port: 19000 } },
    });
  });

  it('reads the rate limit block, and names a bad timeout', () => {
    const text = (timeout: string) => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyGateway
rateLimit:
  backend: {type: Redis, redis: {url: redis.redis-system.svc.cluster.local:6379}}
  failClosed: true
  timeout: ${timeout}
`;
    const { config } = loadEnvoyGatewayConfig(text('50ms'), 'eg.yaml');
    expect(config?.rateLimit).toMatchObject({
      backend: { type: 'Redis', redis: { url: 'redis.redis-system.svc.cluster.local:6379' } },
      failClosed: true,
      timeout: '50ms',
    });
    const bad = loadEnvoyGatewayConfig(text('soon'), 'eg.yaml');
    expect(bad.config).toBeUndefined();
    expect(bad.problems[0]).toMatchObject({ file: 'eg.yaml', path: ['rateLimit', 'timeout'] });
  });

  it('reads a file provider with host infrastructure', () => {
    const text = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyGateway
provider:
  type: Custom
  custom:
    resource: {type: File, file: {paths: [/etc/egts]}}
    infrastructure: {type: Host}
logging: {level: {default: debug}}
`;
    const { config } = loadEnvoyGatewayConfig(text, 'eg.yaml');
    expect(config?.provider.custom?.resource.file?.paths).toEqual(['/etc/egts']);
    expect(config?.logging.level.default).toBe('debug');
  });

  it('reads a ConfigServer resource provider (an egts addition)', () => {
    const text = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyGateway
provider:
  type: Custom
  custom:
    resource:
      type: ConfigServer
      configServer:
        http: {port: 8443}
        grpc: {host: 0.0.0.0, port: 8444}
        dataDir: /var/lib/egts
        tokenFile: /etc/egts/token
        tls: {certFile: s.crt, keyFile: s.key, clientCAFile: ca.crt}
    infrastructure: {type: Host}
`;
    const { config, problems } = loadEnvoyGatewayConfig(text, 'eg.yaml');
    expect(problems).toEqual([]);
    expect(config?.provider.custom?.resource.configServer).toEqual({
      http: { host: '127.0.0.1', port: 8443 },
      grpc: { host: '0.0.0.0', port: 8444 },
      dataDir: '/var/lib/egts',
      tokenFile: '/etc/egts/token',
      tls: { certFile: 's.crt', keyFile: 's.key', clientCAFile: 'ca.crt' },
    });
    const bad = loadEnvoyGatewayConfig(
      text.replace('dataDir: /var/lib/egts', 'allowAnonymous: all'),
      'eg.yaml',
    );
    expect(bad.problems.map((p) => p.path.join('.'))).toEqual(
      expect.arrayContaining([
        'provider.custom.resource.configServer.dataDir',
        'provider.custom.resource.configServer.allowAnonymous',
      ]),
    );
  });

  it('names the field of a bad value', () => {
    const text =
      'apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyGateway\nprovider: {type: Nomad}\n';
    const { config, problems } = loadEnvoyGatewayConfig(text, 'eg.yaml');
    expect(config).toBeUndefined();
    expect(problems[0]).toMatchObject({ file: 'eg.yaml', line: 3, path: ['provider', 'type'] });
  });

  it('names the line of broken YAML, and refuses a second document', () => {
    const broken = loadEnvoyGatewayConfig('kind: EnvoyGateway\nlogging: [unclosed\n', 'eg.yaml');
    expect(broken.config).toBeUndefined();
    expect(broken.problems).toEqual([
      expect.objectContaining({ file: 'eg.yaml', message: expect.stringMatching(/^invalid YAML/) }),
    ]);
    expect(broken.problems[0]!.line).toBeGreaterThan(1);
    const two = loadEnvoyGatewayConfig('kind: EnvoyGateway\n---\nkind: EnvoyGateway\n', 'eg.yaml');
    expect(two.config).toBeUndefined();
    expect(two.problems[0]!.message).toMatch(/one EnvoyGateway document/);
    expect(loadEnvoyGatewayConfig('', 'eg.yaml').config).toBeDefined();
  });

  it('runs the one entry of extensionManagers, and refuses several or both forms', () => {
    const manager = (name: string) => `
- name: ${name}
  hooks: {xdsTranslator: {post: [Route]}}
  service: {fqdn: {hostname: ext.example, port: 5005}}`;
    const text = (managers: string, single = '') => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyGateway
extensionManagers:${managers}
${single}`;
    const one = loadEnvoyGatewayConfig(text(manager('a')), 'eg.yaml');
    expect(one.problems).toEqual([]);
    expect(one.config && extensionManagerOf(one.config)).toMatchObject({
      name: 'a',
      service: { fqdn: { hostname: 'ext.example', port: 5005 } },
    });
    const two = loadEnvoyGatewayConfig(text(manager('a') + manager('b')), 'eg.yaml');
    expect(two.config).toBeUndefined();
    expect(two.problems[0]).toMatchObject({ path: ['extensionManagers'] });
    expect(two.problems[0]?.message).toMatch(/several extension servers/);
    const both = loadEnvoyGatewayConfig(
      text(
        manager('a'),
        'extensionManager: {hooks: {xdsTranslator: {post: [Route]}}, service: {fqdn: {hostname: x, port: 1}}}',
      ),
      'eg.yaml',
    );
    expect(both.config).toBeUndefined();
    expect(both.problems[0]?.message).toBe('set extensionManager or extensionManagers, not both');
    // Unnamed entries are refused, as in Envoy Gateway.
    const unnamed = loadEnvoyGatewayConfig(
      text(
        '\n- hooks: {xdsTranslator: {post: [Route]}}\n  service: {fqdn: {hostname: x, port: 1}}',
      ),
      'eg.yaml',
    );
    expect(unnamed.problems[0]?.path).toEqual(['extensionManagers', 0, 'name']);
  });
});
