// EnvoyGateway `rateLimit.telemetry` read into the service's environment, and what cannot be
// applied named, never dropped in silence.
import { describe, expect, it } from 'vitest';
import { rateLimitObjects, rateLimitTelemetryEnv, readRateLimitTelemetry } from '../index.js';

describe('rate limit telemetry', () => {
  it('turns Prometheus off and exports spans over OTLP/HTTP at the sampling rate', () => {
    const { telemetry, problems } = readRateLimitTelemetry({
      metrics: { prometheus: { disable: true } },
      tracing: {
        samplingRate: 50,
        provider: { type: 'OpenTelemetry', url: 'otel.monitoring:4318' },
      },
    });
    expect(problems).toEqual([]);
    expect(rateLimitTelemetryEnv(telemetry, 'envoy-gateway-system')).toEqual({
      USE_PROMETHEUS: 'false',
      TRACING_ENABLED: 'true',
      TRACING_SERVICE_NAME: 'envoy-ratelimit',
      TRACING_SERVICE_NAMESPACE: 'envoy-gateway-system',
      TRACING_EXPORTER_PROTOCOL: 'http',
      TRACING_SAMPLING_RATE: '0.5',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.monitoring:4318',
    });
    expect(rateLimitTelemetryEnv(readRateLimitTelemetry(undefined).telemetry)).toEqual({
      USE_PROMETHEUS: 'true',
    });
  });

  it('names what it cannot apply: tracing without a URL, another provider type', () => {
    const noUrl = readRateLimitTelemetry({ tracing: { samplingRate: 10 } });
    expect(noUrl.telemetry.tracing).toBeUndefined();
    expect(noUrl.problems).toEqual([
      'rateLimit.telemetry.tracing.provider.url is required: tracing is off',
    ]);
    const zipkin = readRateLimitTelemetry({
      tracing: { provider: { type: 'Zipkin', url: 'z:9411' } },
    });
    expect(zipkin.telemetry.tracing).toBeUndefined();
    expect(zipkin.problems[0]).toContain('Zipkin is not supported');
  });

  it('mounts the Redis client certificate Secret and sets the telemetry in Kubernetes', () => {
    const [, deployment] = rateLimitObjects(
      { namespace: 'envoy-gateway-system', xds: { host: 'eg', port: 18000 } },
      {
        redisUrl: 'redis:6379',
        redisTls: { certificateRef: 'redis-client' },
        telemetry: { prometheus: false },
      },
    ) as unknown as { spec: { template: { spec: Record<string, unknown[]> } } }[];
    const pod = deployment?.spec.template.spec as {
      containers: { env: { name: string; value: string }[] }[];
      volumes: { name: string; secret: { secretName: string } }[];
    };
    const env = Object.fromEntries(pod.containers[0]?.env.map((e) => [e.name, e.value]) ?? []);
    expect(env).toMatchObject({
      REDIS_TLS: 'true',
      REDIS_TLS_CLIENT_CERT: '/redis-certs/tls.crt',
      REDIS_TLS_CLIENT_KEY: '/redis-certs/tls.key',
      USE_PROMETHEUS: 'false',
    });
    expect(pod.volumes).toContainEqual({
      name: 'redis-certs',
      secret: { secretName: 'redis-client' },
    });
  });
});
