import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../cli/main';

export const CLI = fileURLToPath(new URL('../../bin/oom-responder.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the real executable (`bin/oom-responder.js`) as a user would, with optional stdin. */
export function runCli(
  args: string[],
  options: { stdin?: string | Buffer; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return collect(process.execPath, [CLI, ...args], { ...process.env, ...options.env }, options.stdin);
}

/** Spawn a process, feed it `stdin` (or nothing), and collect its output and exit status. */
function collect(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdin: string | Buffer = '',
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env });
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
    child.stdin.end(stdin);
  });
}

/** Run a command in-process through `main`, capturing its output: fast, for flag and error paths. */
export async function runMain(args: string[]): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const code = await main(args, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}

/** GNU time, which reports the peak resident memory of the process it runs. */
export const GNU_TIME = '/usr/bin/time';

/**
 * Run the real executable under GNU time (`-f %M`, written to a file so that stderr stays the command's own) and
 * return its peak resident memory with its result.
 */
export async function runCliMeasured(args: string[]): Promise<CliResult & { peakRssKb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'oom-rss-'));
  const report = join(dir, 'rss');
  const result = await collect(
    GNU_TIME,
    ['-o', report, '-f', '%M', process.execPath, CLI, ...args],
    process.env,
  );
  // GNU time writes "Command exited with non-zero status N" before the figure when the command fails.
  const peakRssKb = Number(readFileSync(report, 'utf8').trim().split('\n').at(-1));
  rmSync(dir, { recursive: true, force: true });
  return { ...result, peakRssKb };
}
