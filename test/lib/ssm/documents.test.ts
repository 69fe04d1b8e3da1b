import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SSM_PARAMETERS, type SsmDocumentKind } from '../../../functions/core/ssm/parameter-specs';
import { validateCollectDiagnosticsParameters } from '../../../functions/core/ssm/parameters';
import {
  addSwapDocument,
  collectDiagnosticsDocument,
  MAX_DOCUMENT_BYTES,
  restartServiceDocument,
  type SsmCommandDocument,
} from '../../../lib/ssm/documents';
import { scriptPath } from '../../../lib/ssm/script-source';

const DOCUMENTS: [SsmDocumentKind, () => SsmCommandDocument][] = [
  ['collect-diagnostics', collectDiagnosticsDocument],
  ['add-swap', addSwapDocument],
  ['restart-service', restartServiceDocument],
];

/** The `readonly PATTERN_<name>='<regex>'` lines a script validates its parameters with. */
function scriptPatterns(kind: SsmDocumentKind): Record<string, string> {
  const text = readFileSync(scriptPath(kind), 'utf8');
  return Object.fromEntries(
    [...text.matchAll(/^readonly PATTERN_(\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]),
  );
}

describe.each(DOCUMENTS)('the %s document', (kind, build) => {
  const document = build();
  const step = document.mainSteps[0];

  it('is a schema 2.2 Command document with one Linux-only aws:runShellScript step', () => {
    expect(document.schemaVersion).toBe('2.2');
    expect(document.description.length).toBeGreaterThan(20);
    expect(document.mainSteps).toHaveLength(1);
    expect(step.action).toBe('aws:runShellScript');
    expect(step.precondition).toEqual({ StringEquals: ['platformType', 'Linux'] });
    expect(step.inputs.timeoutSeconds).toBeGreaterThanOrEqual(60);
  });

  it('runs the script file, line for line, starting with its bash shebang', () => {
    const text = readFileSync(scriptPath(kind), 'utf8');
    expect(`${step.inputs.runCommand.join('\n')}\n`).toBe(text);
    expect(step.inputs.runCommand[0]).toBe('#!/bin/bash');
  });

  it('declares exactly the shared parameters: String, ENV_VAR, strict pattern, documented', () => {
    const specs = SSM_PARAMETERS[kind];
    expect(Object.keys(document.parameters)).toEqual(Object.keys(specs));
    for (const [name, parameter] of Object.entries(document.parameters)) {
      const spec = specs[name];
      expect(parameter.type).toBe('String');
      expect(parameter.interpolationType).toBe('ENV_VAR');
      expect(parameter.allowedPattern).toBe(spec?.pattern);
      expect(parameter.allowedPattern.startsWith('^')).toBe(true);
      expect(parameter.allowedPattern.endsWith('$')).toBe(true);
      expect(parameter.default).toBe(spec?.default);
      if (parameter.default !== undefined)
        expect(new RegExp(parameter.allowedPattern).test(parameter.default)).toBe(true);
      expect(parameter.description.length).toBeGreaterThan(10);
    }
  });

  it('has a script that checks every parameter again with the very same patterns', () => {
    const specs = SSM_PARAMETERS[kind];
    expect(scriptPatterns(kind)).toEqual(
      Object.fromEntries(Object.entries(specs).map(([n, s]) => [n, s.pattern])),
    );
  });

  it('never pastes parameters into the script: no {{ }}, and SSM_ variables only read once, quoted', () => {
    const lines = step.inputs.runCommand;
    expect(lines.join('\n')).not.toContain('{{');
    const reads = lines.filter((line) => /\$\{?SSM_/.test(line) && !line.trimStart().startsWith('#'));
    expect(reads.length).toBe(Object.keys(SSM_PARAMETERS[kind]).length);
    for (const line of reads) expect(line).toMatch(/^[a-z_]+=\$\{SSM_[A-Za-z]+-\}$/);
  });

  it('stays under 64 KB even with the longest values its parameters allow', () => {
    const longest: Record<string, string> = {
      killTime: '2026-11-25T17:30:50.123456789+01:00',
      unit: `a${'b'.repeat(254)}`,
      pid: '4194304',
      memcgPath: `/${'m'.repeat(128)}`.repeat(16),
      sizeMiB: '65536',
      path: `/${'p'.repeat(63)}`.repeat(8),
      maxDiskSharePercent: '90',
      dryRun: 'false',
      drill: 'false',
      processHex: '61'.repeat(15),
      kernelTime: '1234567890.123456789',
      killer: 'systemd-oomd',
      mode: 'pressure',
      sampleSeconds: '60',
    };
    const values = Object.keys(document.parameters).map((name) => longest[name] ?? '');
    for (const [i, name] of Object.keys(document.parameters).entries()) {
      if (name !== 'unit' || kind !== 'restart-service') {
        expect(new RegExp(document.parameters[name]?.allowedPattern ?? '').test(values[i] ?? ''), name).toBe(
          true,
        );
      }
    }
    const size = Buffer.byteLength(JSON.stringify(document)) + values.join('').length;
    expect(size).toBeLessThanOrEqual(MAX_DOCUMENT_BYTES);
  });
});

describe('the document content', () => {
  it('is read from the scripts beside the module, whatever the working directory', () => {
    const tsx = pathToFileURL(
      fileURLToPath(new URL('../../../node_modules/tsx/dist/esm/index.mjs', import.meta.url)),
    );
    const module = pathToFileURL(fileURLToPath(new URL('../../../lib/ssm/documents.ts', import.meta.url)));
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        tsx.href,
        '-e',
        `import('${module.href}').then((m) => console.log(JSON.stringify(m.addSwapDocument())))`,
      ],
      { cwd: '/', encoding: 'utf8' },
    );
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual(addSwapDocument());
  });

  it('matches what the Lambda-side validator accepts for a typical kill', () => {
    const parameters = {
      killTime: '2026-11-25T17:30:50Z',
      unit: 'myapp.service',
      pid: 4242,
      memcgPath: '/system.slice/myapp.service',
    };
    const validation = validateCollectDiagnosticsParameters(parameters);
    expect(validation.ok).toBe(true);
    const document = collectDiagnosticsDocument();
    if (validation.ok) {
      for (const [name, [value]] of Object.entries(validation.parameters)) {
        expect(new RegExp(document.parameters[name]?.allowedPattern ?? '').test(value ?? '')).toBe(true);
      }
    }
  });
});
