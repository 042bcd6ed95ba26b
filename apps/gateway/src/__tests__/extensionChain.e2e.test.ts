// Several extension servers (EnvoyGateway `extensionManagers`) end to end through real Envoy
// (issue #20): two stand-in extensions, each registering its own filter kind, modify the same
// route. Each one's change is served, each is handed only the objects of its kinds, and they are
// called in the configured order, each on what the previous returned (the `x-chain` header each
// one extends reads `first>second`, and `second>first` when the order is reversed). An extension
// that is down and fails open is skipped; the others still apply.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExtensionManager, extensionManagerSchema } from '@egts/api';
import { HeaderValueOption, type Route } from '@egts/envoy-api';
import {
  type EnvoyGatewayExtensionServer,
  EnvoyGatewayExtensionService,
} from '@egts/envoy-api/services';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogging } from '../logging.js';
import type { RunningGateway } from '../run/gatewayOptions.js';
import { runHostGateway } from '../run/hostGateway.js';
import { Backends, freePort, gatewayWith, service, waitFor } from './throughEnvoy.js';

const root = mkdtempSync(join(tmpdir(), 'egts-extension-chain-'));
const backends = new Backends();
let appPort = 0;

/** A stand-in extension `name`: its filter kind's `spec.value` as header `x-<name>`, and itself appended to `x-chain`. */
async function startChained(name: string, kind: string) {
  const kindsSeen = new Set<string>();
  const implementation: Partial<EnvoyGatewayExtensionServer> = {
    postRouteModify(call, callback) {
      const { route, postRouteContext } = call.request;
      const objects = (postRouteContext?.extensionResources ?? []).map(
        (r) =>
          JSON.parse(Buffer.from(r.unstructuredBytes).toString()) as {
            kind: string;
            spec?: { value?: string };
          },
      );
      for (const o of objects) kindsSeen.add(o.kind);
      const mine = objects.find((o) => o.kind === kind);
      if (route === undefined || mine === undefined) return callback(null, {});
      const others = route.responseHeadersToAdd.filter((h) => h.header?.key !== 'x-chain');
      const before = route.responseHeadersToAdd.find((h) => h.header?.key === 'x-chain');
      const chain = before?.header?.value ? `${before.header.value}>${name}` : name;
      const modified: Route = {
        ...route,
        responseHeadersToAdd: [
          ...others,
          HeaderValueOption.fromPartial({
            header: { key: `x-${name}`, value: mine.spec?.value ?? '' },
          }),
          HeaderValueOption.fromPartial({ header: { key: 'x-chain', value: chain } }),
        ],
      };
      callback(null, { route: modified });
    },
  };
  const server = new Server();
  server.addService(EnvoyGatewayExtensionService, implementation as EnvoyGatewayExtensionServer);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    port,
    kindsSeen,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

const manager = (name: string, kind: string, port: number, failOpen = false) => ({
  ...extensionManagerSchema.parse({
    resources: [{ group: 'example.extensions.io', version: 'v1alpha1', kind }],
    hooks: { xdsTranslator: { post: ['Route'] } },
    service: { fqdn: { hostname: '127.0.0.1', port } },
    failOpen,
    retry: { maxAttempts: 1 },
  }),
  name,
});

const resources = (listenerPort: number) =>
  gatewayWith(
    listenerPort,
    `${service('app', appPort)}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: app, namespace: default}
spec:
  parentRefs: [{name: eg}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /app}}]
    filters:
    - {type: ExtensionRef, extensionRef: {group: example.extensions.io, kind: FirstFilter, name: f}}
    - {type: ExtensionRef, extensionRef: {group: example.extensions.io, kind: SecondFilter, name: s}}
    backendRefs: [{name: app, port: ${appPort}}]
---
apiVersion: example.extensions.io/v1alpha1
kind: FirstFilter
metadata: {name: f, namespace: default}
spec: {value: one}
---
apiVersion: example.extensions.io/v1alpha1
kind: SecondFilter
metadata: {name: s, namespace: default}
spec: {value: two}
`,
  );

/** A gateway with the chain `managers`; the answer of /app once the route carries `x-chain`. */
async function served(name: string, managers: (ExtensionManager & { name: string })[]) {
  const listenerPort = await freePort();
  const file = join(root, `${name}.yaml`);
  writeFileSync(file, resources(listenerPort));
  const [first] = managers;
  const gateway: RunningGateway = await runHostGateway({
    paths: [file],
    xds: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    stateDir: join(root, `state-${name}`),
    // The kinds of all the chain's extensions, as extensionManagerOf gives them.
    extensionManager: first && {
      ...first,
      resources: managers.flatMap((m) => m.resources ?? []),
    },
    extensionManagers: managers,
    logging: createLogging({ default: 'error' }),
  });
  try {
    let headers = new Headers();
    await waitFor(
      `the route through the chain (${name})`,
      async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${listenerPort}/app`, {
            signal: AbortSignal.timeout(5_000),
          });
          await res.text();
          headers = res.headers;
          return res.status === 200 && headers.get('x-chain') !== null;
        } catch {
          return false;
        }
      },
      () => '',
      90_000,
    );
    return headers;
  } finally {
    await gateway.close();
  }
}

beforeAll(async () => {
  appPort = await backends.start('app');
});

afterAll(() => {
  backends.close();
  rmSync(root, { recursive: true, force: true });
});

describe('several extension servers (e2e through Envoy)', () => {
  it('chains them in order, each with its own kinds; one down that fails open is skipped', async () => {
    const first = await startChained('first', 'FirstFilter');
    const second = await startChained('second', 'SecondFilter');
    try {
      const inOrder = await served('in-order', [
        manager('first', 'FirstFilter', first.port),
        manager('second', 'SecondFilter', second.port),
      ]);
      expect(inOrder.get('x-first')).toBe('one');
      expect(inOrder.get('x-second')).toBe('two');
      expect(inOrder.get('x-chain')).toBe('first>second');
      // Each was handed only the objects of its own kind.
      expect([...first.kindsSeen]).toEqual(['FirstFilter']);
      expect([...second.kindsSeen]).toEqual(['SecondFilter']);

      // Reversed, with an extension that is down (failOpen) between them.
      const down = await freePort();
      const reversed = await served('reversed', [
        manager('second', 'SecondFilter', second.port),
        manager('down', 'FirstFilter', down, true),
        manager('first', 'FirstFilter', first.port),
      ]);
      expect(reversed.get('x-chain')).toBe('second>first');
      expect(reversed.get('x-first')).toBe('one');
      expect(reversed.get('x-second')).toBe('two');
    } finally {
      await first.close();
      await second.close();
    }
  });
});
