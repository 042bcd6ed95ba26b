// Authorization rules with CEL as Envoy RBAC policies: a rule's expression becomes a policy's
// parsed `condition`; an earlier Deny rule with CEL and a principal splits an Allow in two (not
// its principal, or not its condition); an expression that does not parse fails closed.
import type { Authorization, AuthorizationRule } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { authorizationRules } from '../internal/httpfilters/rbac.js';

const rule = (r: Partial<AuthorizationRule>): AuthorizationRule => ({
  name: 'r',
  action: 'Allow',
  clientCIDRs: [],
  headers: [],
  methods: [],
  ...r,
});

const policiesOf = (authz: Authorization) => authorizationRules(authz).policies;

describe('authorization rules with CEL', () => {
  it('puts an Allow rule expression in a policy condition, ANDed with its principal', () => {
    const policies = policiesOf({
      defaultAction: 'Deny',
      rules: [
        rule({ headers: [{ name: 'x-team', values: ['a'] }], cel: "request.method == 'POST'" }),
      ],
    });
    expect(Object.keys(policies)).toEqual(['authorization-cel-0']);
    const policy = policies['authorization-cel-0'];
    expect(policy?.principals).toMatchObject([
      { header: { name: 'x-team', stringMatch: { exact: 'a', ignoreCase: false } } },
    ]);
    expect(policy?.condition?.callExpr?.function).toBe('_==_');
    expect(policy?.condition?.callExpr?.args[0]?.selectExpr?.field).toBe('method');
  });

  it('splits what follows a Deny rule with both a principal and CEL', () => {
    const policies = policiesOf({
      defaultAction: 'Allow',
      rules: [
        rule({
          action: 'Deny',
          headers: [{ name: 'x-team', values: ['b'] }],
          cel: "request.method == 'DELETE'",
        }),
      ],
    });
    // Not the principal (a plain policy), or not the condition (a CEL policy).
    expect(policies.authorization?.principals).toMatchObject([
      { notId: { header: { name: 'x-team', stringMatch: { exact: 'b', ignoreCase: false } } } },
    ]);
    expect(policies['authorization-cel-0']?.principals).toMatchObject([{ any: true }]);
    expect(policies['authorization-cel-0']?.condition?.callExpr?.function).toBe('!_');
  });

  it('gives every node of a combined condition its own id', () => {
    const policies = policiesOf({
      defaultAction: 'Deny',
      rules: [
        rule({ action: 'Deny', cel: "request.path == '/a'" }),
        rule({ cel: "request.path == '/b'" }),
      ],
    });
    const ids: number[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (typeof node === 'object' && node !== null) {
        const o = node as Record<string, unknown>;
        if (typeof o.id === 'number') ids.push(o.id);
        Object.values(o).forEach(walk);
      }
    };
    walk(policies['authorization-cel-0']?.condition);
    expect(ids.length).toBeGreaterThan(6);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('fails closed on an expression that does not parse', () => {
    const allowNever = policiesOf({
      defaultAction: 'Deny',
      rules: [rule({ cel: 'request.path ==' })],
    });
    expect(allowNever['authorization-cel-0']?.condition?.constExpr?.boolValue).toBe(false);
    const denyAlways = policiesOf({
      defaultAction: 'Allow',
      rules: [rule({ action: 'Deny', cel: 'request.path ==' })],
    });
    // The default Allow holds only where the Deny rule's condition (true) does not: never.
    const negated = denyAlways['authorization-cel-0']?.condition?.callExpr;
    expect(negated?.function).toBe('!_');
    expect(negated?.args[0]?.constExpr?.boolValue).toBe(true);
  });
});
