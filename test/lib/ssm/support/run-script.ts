import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ScriptName, scriptPath } from '../../../../lib/ssm/script-source';

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Directories put first on PATH (stubs). */
  pathFirst?: string[];
  /** A command the script runs under, e.g. `['/usr/bin/time', '-f', '%e %M', '-o', file]`. */
  wrapper?: string[];
}

const STUBS = fileURLToPath(new URL('../stubs/', import.meta.url));

/**
 * Run a document's script the way the SSM agent does: bash, parameters only as `SSM_<name>` variables. The
 * environment is this process's minus anything SSM_ or OOM_RESPONDER_, so nothing leaks between tests.
 */
export function runScript(
  name: ScriptName,
  env: Record<string, string>,
  options: RunOptions = {},
): Promise<ScriptRun> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('SSM_') && !key.startsWith('OOM_RESPONDER_'),
    ),
  );
  const path = [...(options.pathFirst ?? []), process.env.PATH ?? '/usr/bin:/bin'].join(':');
  const command = [...(options.wrapper ?? []), 'bash', scriptPath(name)];
  return run(command, { ...base, ...env, PATH: path });
}

export function run(command: string[], env: NodeJS.ProcessEnv = process.env): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = command;
    if (!file) throw new Error('empty command');
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A fresh temporary directory; remove it with `removeTemp`. */
export function makeTemp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `oomr-${prefix}-`));
}

export function removeTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A temporary bin directory holding the named stubs from test/lib/ssm/stubs/, executable. */
export function stubBin(names: string[]): string {
  const dir = makeTemp('stubs');
  chmodSync(dir, 0o755); // usable by a test that drops root
  for (const name of names) {
    copyFileSync(join(STUBS, name), join(dir, name));
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

/**
 * A copy of `file` that any user can read, in a directory any user can enter: for running a script as another
 * user when the checkout itself sits under a directory only its owner can enter.
 */
export function readableCopy(file: string): { dir: string; path: string } {
  const dir = makeTemp('readable');
  chmodSync(dir, 0o755);
  const path = join(dir, basename(file));
  copyFileSync(file, path);
  chmodSync(path, 0o644);
  return { dir, path };
}

export function stubPath(name: string): string {
  return join(STUBS, name);
}

/** The `key=value` fields of the last `result=` line. */
export function resultLine(stdout: string): Record<string, string> {
  const line = stdout.split('\n').findLast((l) => l.startsWith('result=')) ?? '';
  return Object.fromEntries(
    line.split(' ').map((token) => [token.split('=')[0], token.slice(token.indexOf('=') + 1)]),
  );
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
