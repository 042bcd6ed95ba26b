import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './runCli.js';

const dir = mkdtempSync(join(tmpdir(), 'egts-validate-'));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const gatewayClass = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: eg
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
`;

describe('egts validate', () => {
  it('exits 0 and counts the resources of a valid file', () => {
    const result = runCli(['validate', '-f', write('ok.yaml', gatewayClass)]);
    expect(result.stdout).toBe('1 valid resource, 0 errors, 0 warnings\n');
    expect(result.status).toBe(0);
  });

  it('names the file, line and document of bad YAML and exits non-zero', () => {
    const file = write('bad-yaml.yaml', `${gatewayClass}---\nmetadata: {name: [oops\n`);
    const result = runCli(['validate', '-f', file]);
    // The parser notices the unclosed sequence where the input ends.
    expect(result.stdout).toContain(`error: ${file}:9 (document 2): invalid YAML`);
    expect(result.status).toBe(1);
  });

  it('names the resource and field of a wrong type', () => {
    const fixed = write(
      'wrong-type.yaml',
      gatewayClass.replace(/controllerName: .*/, 'controllerName: 42'),
    );
    const result = runCli(['validate', '-f', fixed]);
    expect(result.stdout).toContain(
      `error: ${fixed}:6 (document 1): GatewayClass eg: spec.controllerName: expected string, received number`,
    );
    expect(result.status).toBe(1);
  });

  it('names a missing required field', () => {
    const file = write('missing.yaml', gatewayClass.replace(/spec:\n.*\n/, 'spec: {}\n'));
    const result = runCli(['validate', '-f', file]);
    expect(result.stdout).toContain(
      'GatewayClass eg: spec.controllerName: required field is missing',
    );
    expect(result.status).toBe(1);
  });

  it('reports an unknown kind and exits non-zero', () => {
    const file = write(
      'unknown.yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n',
    );
    const result = runCli(['validate', '-f', file]);
    expect(result.stdout).toContain(
      `error: ${file}:2 (document 1): Widget w: kind: unknown kind example.com/v1 Widget: skipped`,
    );
    expect(result.status).toBe(1);
  });

  it('prints JSON for tools with -o json, reading stdin with -f -', () => {
    const result = runCli(
      ['validate', '-f', '-', '-o', 'json'],
      gatewayClass.replace('name: eg', 'name: Bad_Name'),
    );
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ valid: false, errors: 1, resources: 0 });
    expect(report.problems[0]).toMatchObject({
      file: '<stdin>',
      path: ['metadata', 'name'],
      kind: 'GatewayClass',
    });
    expect(result.status).toBe(1);
  });

  it('counts warnings as problems only with --strict', () => {
    // A field spelled with the wrong case: read as Envoy Gateway reads it, with a warning.
    const file = write('warn.yaml', gatewayClass.replace('controllerName', 'ControllerName'));
    expect(runCli(['validate', '-f', file]).status).toBe(0);
    expect(runCli(['validate', '-f', file, '--strict']).status).toBe(1);
  });

  it('fails on a misspelt field, naming it as kubectl does; translate shows it and goes on', () => {
    const file = write('typo.yaml', gatewayClass.replace('spec:', 'spec:\n  descriptoin: x'));
    const validate = runCli(['validate', '-f', file]);
    expect(validate.stdout).toBe(
      `error: ${file}:6 (document 1): GatewayClass eg: unknown field "spec.descriptoin"\n` +
        '1 valid resource, 1 error, 0 warnings\n',
    );
    expect(validate.status).toBe(1);
    const translate = runCli(['translate', '-f', file, '-o', 'status']);
    expect(translate.stderr).toContain('unknown field "spec.descriptoin"');
    expect(translate.stderr).toContain('1 unknown field(s): left out');
    expect(translate.stdout).toContain('Accepted');
    expect(translate.status).toBe(0);
  });
});

describe('egts', () => {
  it('prints help and its version', () => {
    expect(runCli(['--help']).stdout).toContain('validate');
    expect(runCli(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
