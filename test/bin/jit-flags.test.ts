import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JIT_ENV, shortRunV8Flags } from '../../bin/jit-flags.mjs';
import { corpusSamples } from '../support/corpus';
import { CLI } from '../support/run-cli';

describe('shortRunV8Flags', () => {
  it('does without TurboFan where Maglev is on (V8 12 and later: Node 22, 24)', () => {
    expect(shortRunV8Flags('12.4.254.21-node.33')).toEqual(['--no-turbofan']);
    expect(shortRunV8Flags('13.6.233.17-node.37')).toEqual(['--no-turbofan']);
  });

  it('keeps TurboFan without inlining where it is the only optimizing tier (Node 20)', () => {
    expect(shortRunV8Flags('11.3.244.8-node.25')).toEqual(['--no-turbo-inlining']);
  });

  it("sets none when the user chose tiers, on the command line or in NODE_OPTIONS: the user's win", () => {
    for (const flag of ['--turbofan', '--no-opt', '--maglev', '--jitless', '--no-turbo-inlining'])
      expect(shortRunV8Flags('13.6.233.17', { execArgv: [flag] }), flag).toEqual([]);
    expect(shortRunV8Flags('13.6.233.17', { nodeOptions: '--max-old-space-size=512 --jitless' })).toEqual([]);
  });

  it('still sets them beside flags that choose no tier (memory, tracing)', () => {
    const execArgv = ['--max-old-space-size=4096', '--trace-opt', '--enable-source-maps'];
    expect(shortRunV8Flags('13.6.233.17', { execArgv, nodeOptions: '--trace-warnings' })).toEqual([
      '--no-turbofan',
    ]);
  });

  it(`sets none with ${JIT_ENV}=default, or for a V8 version it cannot read`, () => {
    expect(shortRunV8Flags('13.6.233.17', { jit: 'default' })).toEqual([]);
    expect(shortRunV8Flags('')).toEqual([]);
    expect(shortRunV8Flags('canary')).toEqual([]);
  });
});

/**
 * The bin sets them before the CLI runs: V8's own traces of a `parse` show no TurboFan compile (Node 22+) or no
 * inlining (Node 20) with them, and show some with `OOM_RESPONDER_JIT=default` on the same input, so the input is
 * large enough for the check to mean something.
 */
describe('bin/oom-responder.js', () => {
  let dir: string;
  let log: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jit-flags-'));
    log = join(dir, 'kernel.log');
    const reports = corpusSamples()
      .filter((sample) => sample.theme !== 'negative')
      .map((sample) => readFileSync(sample.logPath, 'utf8'))
      .join('\n');
    // About 4 MB of real reports: enough parsing for V8 to optimize the parser's functions with its defaults.
    writeFileSync(log, `${reports}\n`.repeat(Math.ceil(4_000_000 / (reports.length + 1))));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const maglev = Number.parseInt(process.versions.v8, 10) >= 12;
  // `--trace-opt` names each function TurboFan compiles; `--trace-turbo-inlining` each call it considers inlining.
  const trace = maglev ? '--trace-opt' : '--trace-turbo-inlining';
  const marker = maglev ? /target TURBOFAN/ : /for inlining/;
  const parse = (jit: string | undefined, v8Flags: string[] = []) => {
    const env = { ...process.env, [JIT_ENV]: jit };
    if (jit === undefined) delete env[JIT_ENV];
    const run = spawnSync(process.execPath, [...v8Flags, CLI, 'parse', '--year', '2026', log], {
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    expect(run.status, run.stderr).toBe(0);
    return run.stdout;
  };
  const traced = (jit: string | undefined) =>
    parse(jit, [trace])
      .split('\n')
      .filter((line) => marker.test(line));

  it(`runs ${maglev ? 'without TurboFan' : 'TurboFan without inlining'}`, () => {
    expect(traced('default').length).toBeGreaterThan(0);
    expect(traced(undefined)).toEqual([]);
  });

  it("finds exactly what it finds with V8's defaults", () => {
    const tuned = parse(undefined);
    expect(tuned.split('\n').length).toBeGreaterThan(100);
    expect(tuned).toBe(parse('default'));
  });
});
