import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, MAX_LINE_CHARS } from '../../cli/io/bounds';
import { comparable, KERNEL_CORPUS } from '../support/corpus';
import { runCli, runCliMeasured } from '../support/run-cli';

/**
 * The CLI's memory is bounded whatever it is given (issue 14). Each case runs the real executable. Before the
 * bounds, `parse /dev/zero` grew past 3 GB in 30 s and never ended, and the JSON inputs below failed with
 * "Maximum call stack size exceeded".
 */

const DMESG = `${KERNEL_CORPUS}transports/captured-6.18-dmesg.log`;
const JOURNAL_JSON = `${KERNEL_CORPUS}transports/captured-6.18-journald-json.log`;
const expectedOf = (log: string): Record<string, unknown>[] =>
  JSON.parse(readFileSync(log.replace(/\.log$/, '.expected.json'), 'utf8')) as Record<string, unknown>[];
const killsOf = (stdout: string): Record<string, unknown>[] =>
  stdout
    .trimEnd()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
/** The kills as the fixture's expected file speaks of them. */
const matchesFixture = (stdout: string, log: string): void => {
  const expected = expectedOf(log);
  const kills = killsOf(stdout);
  expect(kills).toHaveLength(expected.length);
  kills.forEach((kill, i) => {
    const wanted = expected[i] ?? {};
    expect(comparable(kill as never, wanted)).toEqual(wanted);
  });
};

const dir = mkdtempSync(join(tmpdir(), 'oom-bounds-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** Generous: the CLI itself takes about 110 MB here; unbounded reading took gigabytes. */
const MAX_PEAK_RSS_KB = 400 * 1024;

describe('a line without end', () => {
  for (const command of ['parse', 'preview', 'replay']) {
    it(`ends ${command} /dev/zero with exit status 2 and a clear error, in bounded memory`, async () => {
      const result = await runCliMeasured([command, '/dev/zero']);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `oom-responder ${command}: cannot read /dev/zero: line 1 runs past 64 MiB without a newline: this is not a text log\n`,
      );
      expect(result.peakRssKb).toBeGreaterThan(0);
      expect(result.peakRssKb).toBeLessThan(MAX_PEAK_RSS_KB);
    });
  }
});

describe('a line past the cap', () => {
  const log = readFileSync(DMESG, 'utf8');
  const path = file('long-line.log', `${'x'.repeat(5 * 1024 * 1024)}\n${log}`);
  const note = (command: string): string =>
    `oom-responder ${command}: ${path}: cut 1 line longer than 1 MiB (16 MiB for JSON) to that length, skipping the rest (line 1)\n`;

  it('is cut with a note, and the rest of the file still parses', async () => {
    const result = await runCli(['parse', path]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(note('parse'));
    matchesFixture(result.stdout, DMESG);
  });

  it('is cut the same way by replay, which still finds the kill', async () => {
    const result = await runCli(['replay', path]);
    expect(result.code).toBe(0);
    expect(result.stderr.startsWith(note('replay'))).toBe(true);
    const [kill] = expectedOf(DMESG);
    // replay without --pretty prints only the payloads on stdout, one JSON document per line; the summary goes to stderr.
    const payloads = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { text: string });
    expect(payloads).toHaveLength(1);
    expect(payloads[0]?.text).toContain(`${kill?.process} (pid ${kill?.pid})`);
    expect(result.stderr).toMatch(/1 kill in 1 incident/);
  });

  it('keeps the head of a cut line: a kill line followed by a run of NUL bytes, as a crash leaves in syslog', async () => {
    const killLine = log.split('\n').find((line) => line.includes('Killed process')) ?? '';
    const path = file(
      'nul-run.log',
      `${log.replace(`${killLine}\n`, `${killLine}${'\0'.repeat(2 * MAX_LINE_CHARS)}\n`)}`,
    );
    const result = await runCli(['parse', path]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/cut 1 line longer than 1 MiB/);
    matchesFixture(result.stdout, DMESG);
  });
});

describe('JSON input of any shape', () => {
  it('parses an array of 200,000 short records read line by line, and the real records after them', async () => {
    const records = readFileSync(JOURNAL_JSON, 'utf8').trimEnd().split('\n');
    const path = file('records.json', `[\n${'{},\n'.repeat(200_000)}${records.join(',\n')}\n]\n`);
    const result = await runCliMeasured(['parse', path]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    matchesFixture(result.stdout, JOURNAL_JSON);
    expect(result.peakRssKb).toBeLessThan(MAX_PEAK_RSS_KB);
  });

  it('refuses a deeply nested document with a clear error', async () => {
    const depth = 100_000;
    const path = file('nested.json', `[\n${'['.repeat(depth)}${']'.repeat(depth)}\n]\n`);
    for (const command of ['parse', 'preview', 'replay']) {
      const result = await runCli([command, path]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `oom-responder ${command}: cannot read ${path}: JSON nested deeper than ${MAX_JSON_DEPTH} levels at line 2\n`,
      );
    }
  });

  it('skips a line of JSON nested too deep among text lines, with a note, and parses or replays the rest', async () => {
    const depth = 100_000;
    const path = file(
      'nested-line.log',
      `${readFileSync(DMESG, 'utf8')}{"a":${'['.repeat(depth)}${']'.repeat(depth)}}\n`,
    );
    const result = await runCli(['parse', path]);
    expect(result.code).toBe(0);
    const line = readFileSync(DMESG, 'utf8').trimEnd().split('\n').length + 1;
    expect(result.stderr).toBe(
      `oom-responder parse: ${path}: skipped 1 JSON value that did not parse or nested deeper than ${MAX_JSON_DEPTH} levels (line ${line})\n`,
    );
    matchesFixture(result.stdout, DMESG);
    const replayed = await runCli(['replay', path]);
    expect(replayed.code).toBe(0);
    expect(replayed.stderr).toContain(
      `oom-responder replay: nested-line.log: skipped line ${line}: JSON nested deeper than ${MAX_JSON_DEPTH} levels\n`,
    );
    expect(replayed.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(replayed.stderr).toMatch(/1 kill in 1 incident/);
  });

  it('reads the records of a pretty-printed stream cut off mid-record, and says so', async () => {
    const pretty = `${KERNEL_CORPUS}transports/captured-6.18-journald-json-pretty.log`;
    const text = readFileSync(pretty, 'utf8');
    const path = file('cut-off.json', `${text}{\n\t"MESSAGE" : "the journal was cut here`);
    const result = await runCli(['parse', path]);
    expect(result.code).toBe(0);
    const line = text.trimEnd().split('\n').length + 1;
    expect(result.stderr).toBe(
      `oom-responder parse: ${path}: the JSON value from line ${line} is cut off by the end of the input; skipped\n`,
    );
    matchesFixture(result.stdout, pretty);
  });
});
