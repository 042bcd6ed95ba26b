// Lua scripts of EnvoyExtensionPolicies, from Envoy's Lua filter docs (handlers
// envoy_on_request/envoy_on_response, LuaJIT ~ Lua 5.1, the stream handle API) and Envoy
// Gateway's EnvoyProxy lua validation levels (Strict default, InsecureSyntax, Disabled).
import { describe, expect, it } from 'vitest';
import { luaScriptProblem } from '../internal/policies/validation/luaScript.js';
import { conds, statusesOf } from './translateYaml.js';

const GOOD = `function envoy_on_request(handle)
  handle:headers():add("x-hello", "world")
  handle:logInfo("ok")
end`;

describe('Lua scripts', () => {
  it('needs a handler, valid syntax, and (Strict) only stream handle methods', () => {
    expect(luaScriptProblem(GOOD, 'Strict')).toBeUndefined();
    expect(luaScriptProblem('local x = 1', 'Strict')).toMatch(/envoy_on_request/);
    expect(luaScriptProblem('function envoy_on_request(h) h:logInfo(', 'Strict')).toMatch(
      /syntax error/,
    );
    const unknown = 'function envoy_on_response(h) h:UnknownApi() end';
    expect(luaScriptProblem(unknown, 'Strict')).toMatch(/no method UnknownApi/);
    expect(luaScriptProblem(unknown, 'InsecureSyntax')).toBeUndefined();
    expect(
      luaScriptProblem('function envoy_on_request(h) h:logInfo( end', 'Disabled'),
    ).toBeUndefined();
  });

  it('an EnvoyExtensionPolicy with an invalid script is not accepted', () => {
    const status = statusesOf(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: { name: lua, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: gw }]
  lua: [{ type: Inline, inline: "function envoy_on_request(h) h:nope() end" }]
`);
    expect(conds(status('EnvoyExtensionPolicy', 'lua').ancestors[0]?.conditions).Accepted).toBe(
      'False/Invalid',
    );
  });

  it.each([
    ['lua: { validationType: Disabled }', undefined],
    ['luaValidation: Disabled', 'True/DeprecatedField'],
  ])('the Gateway EnvoyProxy %s lets an unchecked script through', (setting, warning) => {
    const status = statusesOf(`
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: { name: proxy, namespace: default }
spec:
  ${setting}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  infrastructure:
    parametersRef: { group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy }
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: { name: lua, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: gw }]
  lua: [{ type: Inline, inline: "function envoy_on_request(h) h:nope() end" }]
`);
    expect(conds(status('EnvoyExtensionPolicy', 'lua').ancestors[0]?.conditions).Accepted).toBe(
      'True/Accepted',
    );
    const proxy = conds(status('EnvoyProxy', 'proxy').ancestors[0]?.conditions);
    expect(proxy.Accepted).toBe('True/Accepted');
    expect(proxy.Warning).toBe(warning);
  });
});

describe("Strict validation's sandbox (EnvoyProxy lua.strictValidation)", () => {
  const handler = (body: string) => `function envoy_on_request(handle)\n  ${body}\nend`;
  const none = { allowedPaths: [], allowedEnvVars: [] };
  const allowed = { allowedPaths: ['/tmp/lua'], allowedEnvVars: ['REGION'] };

  it('refuses what the sandbox removes, anywhere in the script', () => {
    expect(luaScriptProblem(handler('os.execute("id")'), 'Strict')).toMatch(/os\.execute/);
    expect(luaScriptProblem(handler('local m = require("x")'), 'Strict')).toMatch(/require/);
    expect(luaScriptProblem(`local g = _G\n${handler('')}`, 'Strict')).toMatch(/_G/);
    // A local of the same name is not the removed global.
    expect(luaScriptProblem(handler('local load = 1\nlocal x = load'), 'Strict')).toBeUndefined();
    // Only Strict runs the sandbox.
    expect(luaScriptProblem(handler('os.execute("id")'), 'InsecureSyntax')).toBeUndefined();
  });

  it('allows files under allowedPaths only, never protected system paths', () => {
    const open = (path: string) => handler(`local f = io.open("${path}", "r")`);
    expect(luaScriptProblem(open('/tmp/lua/data.txt'), 'Strict', none)).toMatch(
      /io\.open restricted for param \/tmp\/lua\/data\.txt/,
    );
    expect(luaScriptProblem(open('/tmp/lua/data.txt'), 'Strict', allowed)).toBeUndefined();
    expect(luaScriptProblem(open('/tmp/lua'), 'Strict', allowed)).toBeUndefined();
    expect(luaScriptProblem(open('/tmp/luax'), 'Strict', allowed)).toMatch(/restricted/);
    expect(luaScriptProblem(open('/tmp/lua/../x'), 'Strict', allowed)).toMatch(/traversal/);
    const secrets = { allowedPaths: ['/etc'], allowedEnvVars: [] };
    expect(luaScriptProblem(open('/etc/passwd'), 'Strict', secrets)).toMatch(/protected/);
    // A computed path cannot be checked: refused (fails closed).
    expect(
      luaScriptProblem(handler('io.open(handle:headers():get("p"))'), 'Strict', allowed),
    ).toMatch(/not a string literal/);
  });

  it('allows the environment variables of allowedEnvVars only', () => {
    const getenv = (name: string) => handler(`local v = os.getenv("${name}")`);
    expect(luaScriptProblem(getenv('REGION'), 'Strict', none)).toMatch(
      /os\.getenv restricted for param REGION/,
    );
    expect(luaScriptProblem(getenv('REGION'), 'Strict', allowed)).toBeUndefined();
    expect(luaScriptProblem(getenv('HOME'), 'Strict', allowed)).toMatch(/restricted/);
  });

  it('the Gateway EnvoyProxy strictValidation decides whether a policy is accepted', () => {
    const statusWith = (strictValidation: string) =>
      statusesOf(`
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: { name: proxy, namespace: default }
spec:
  lua: { validationType: Strict${strictValidation} }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  infrastructure:
    parametersRef: { group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy }
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: { name: lua, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: gw }]
  lua: [{ type: Inline, inline: "function envoy_on_request(h) h:headers():add('x-region', os.getenv('REGION')) end" }]
`);
    const accepted = (s: ReturnType<typeof statusWith>) =>
      conds(s('EnvoyExtensionPolicy', 'lua').ancestors[0]?.conditions).Accepted;
    expect(accepted(statusWith(''))).toBe('False/Invalid');
    expect(accepted(statusWith(', strictValidation: { allowedEnvVars: [REGION] }'))).toBe(
      'True/Accepted',
    );
  });
});
