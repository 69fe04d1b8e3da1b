import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ScriptName, scriptPath } from '../../../lib/ssm/script-source';
import { stubPath } from './support/run-script';

const SCRIPTS: ScriptName[] = ['collect-diagnostics', 'add-swap', 'restart-service'];
const STUBS = readdirSync(stubPath('.')).map((name) => stubPath(name));
const shellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
const missing = shellcheck.error !== undefined || shellcheck.status !== 0;

describe.skipIf(missing)(
  `shellcheck${missing ? ' (skipped: shellcheck is not installed; CI installs it)' : ''}`,
  () => {
    it('finds nothing to say about the document scripts, at every severity', () => {
      const run = spawnSync('shellcheck', ['--severity=style', '--shell=bash', ...SCRIPTS.map(scriptPath)], {
        encoding: 'utf8',
      });
      expect(run.stdout + run.stderr).toBe('');
      expect(run.status).toBe(0);
    });

    it('finds nothing to say about the test stubs either', () => {
      const run = spawnSync('shellcheck', ['--severity=style', '--shell=bash', ...STUBS], {
        encoding: 'utf8',
      });
      expect(run.stdout + run.stderr).toBe('');
      expect(run.status).toBe(0);
    });
  },
);

describe.each(SCRIPTS)('the %s script', (name) => {
  const text = readFileSync(scriptPath(name), 'utf8');
  const code = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');

  it('is bash with set -u, and checks failures itself instead of set -e', () => {
    expect(text.startsWith('#!/bin/bash\n')).toBe(true);
    expect(code).toMatch(/^set -u$/m);
    expect(code).not.toMatch(/^set -[a-z]*e/m);
  });

  it('needs no python and has no {{ }} for SSM to paste parameters into', () => {
    expect(code).not.toMatch(/\bpython/);
    expect(code).not.toContain('{{');
  });
});

describe('the stubs', () => {
  it('exist for every tool the tests replace', () => {
    expect(STUBS.map((path) => path.split('/').at(-1)).sort()).toEqual([
      'df',
      'dmesg',
      'journalctl',
      'mkswap',
      'swapon',
      'systemctl',
    ]);
    for (const path of STUBS) expect(readFileSync(path, 'utf8').startsWith('#!/bin/bash\n')).toBe(true);
  });
});
