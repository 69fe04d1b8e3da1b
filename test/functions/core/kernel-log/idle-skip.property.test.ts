import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NODE_BYTE_VIEW } from '../../../../cli/io/node-byte-view';
import { KernelLogParser, type Kill } from '../../../../functions/core/kernel-log';
import { parseEnvelope } from '../../../../functions/core/kernel-log/envelope';
import { classifyKernelMessage } from '../../../../functions/core/kernel-log/messages';
import { mayOpenReport } from '../../../../functions/core/kernel-log/prefilter';
import { CORPUS_REFERENCE_DATE, corpusSamples } from '../../../support/corpus';

/**
 * While no report is open, the parser skips the lines the prefilter lets through that `mayOpenReport` says could
 * change nothing (`prefilter.ts`). This parser reads them all, as the parser did before that test: both must find
 * the same kills, with the same problems, in any log.
 */
class ReadingEveryCandidate extends KernelLogParser {
  protected override mayOpenReport(): boolean {
    return true;
  }
}

function parseWith(parser: KernelLogParser, lines: readonly string[]): { kills: Kill[]; problems: string[] } {
  const kills: Kill[] = [];
  for (const line of lines) for (const kill of parser.pushLine(line)) kills.push(kill);
  for (const kill of parser.end()) kills.push(kill);
  return { kills, problems: parser.problems.map((problem) => problem.message) };
}

/** `pushBytes` of the lines as one run: where WebAssembly runs, its scan's second set skips lines unread. */
function parseBytesWith(
  parser: KernelLogParser,
  lines: readonly string[],
): { kills: Kill[]; problems: string[] } {
  const kills = [...parser.pushBytes(Buffer.from(lines.join('\n'), 'utf8')), ...parser.end()];
  return { kills, problems: parser.problems.map((problem) => problem.message) };
}

function expectSameReading(lines: readonly string[]): number {
  const options = { referenceDate: CORPUS_REFERENCE_DATE, byteView: NODE_BYTE_VIEW };
  const skipping = parseWith(new KernelLogParser(options), lines);
  const reading = parseWith(new ReadingEveryCandidate(options), lines);
  expect(skipping).toEqual(reading);
  // Lines with a `\n` inside would be two lines in a run: compare the bytes only when there are none.
  if (lines.every((line) => !line.includes('\n'))) {
    expect(parseBytesWith(new KernelLogParser(options), lines)).toEqual(reading);
    expect(parseBytesWith(new ReadingEveryCandidate(options), lines)).toEqual(reading);
  }
  return skipping.kills.length;
}

const samples = corpusSamples();
const fixtureLines = samples.map((sample) => readFileSync(sample.logPath, 'utf8').split('\n'));
/** The kernel messages of every fixture, without their transports. */
const messages = [
  ...new Set(
    fixtureLines.flat().map((line) => parseEnvelope(line, { referenceDate: CORPUS_REFERENCE_DATE }).body),
  ),
].filter((message) => message.length > 0);

/** Noise the prefilter lets through: call traces, applications' messages, `name[pid]:` prefixes. */
const NOISE = [
  ' out_of_memory+0xe4/0x360',
  ' mem_cgroup_out_of_memory+0x12/0x1a0',
  'fatal error: runtime: out of memory',
  '-bash: fork: Cannot allocate memory',
  'zram_generator::config[5782]: zram0: system has too much memory (32092MB), limit is 800MB, ignoring.',
  'i915 0000:00:02.0: [drm] Xorg[3016] context reset due to GPU hang',
  'systemd-journald[375]: Under memory pressure, flushing caches.',
  'Disabling lock debugging due to kernel taint',
  'OSError: [Errno 12] Cannot allocate memory',
];

const OOMD = [
  'Considered 3 cgroups for killing, top candidates were:',
  '        Path: /system.slice/app.service',
  '                Memory Pressure Limit: 0.00%',
  '                Current Memory Usage: 55.5M',
  'Killed /system.slice/app.service due to memory pressure for /system.slice being 86.45% > 50.00% for > 20s with reclaim activity',
];

const bytes = (text: string): number[] => [...Buffer.from(text, 'utf8')];

/** Ways a message reaches the parser: each transport, and journald's spellings that hide text from the raw line. */
const TRANSPORTS: ((message: string, host: string) => string)[] = [
  (message) => message,
  (message) => `[  123.456789] ${message}`,
  (message, host) => `Nov 25 16:58:01 ${host} kernel: ${message}`,
  (message, host) => `Nov 25 16:58:01 ${host} kernel: [  123.456789] ${message}`,
  (message, host) => `Nov 25 16:58:01 ${host} systemd-oomd[812]: ${message}`,
  (message, host) => `2026-11-25T16:58:01.123456+00:00 ${host} kernel: ${message}`,
  (message) => `6,1234,123456789,-;${message}`,
  (message) => `<6>[  123.456789] ${message}`,
  (message) => `[Nov25 16:58] ${message}`,
  (message) => `<6>[Nov25 17:02] ${message}`,
  (message) => `[  +0.000120] ${message}`,
  (message) => `/var/log/kern.log:[  123.456789] ${message}`,
  (message, host) =>
    JSON.stringify({ MESSAGE: message, _HOSTNAME: host, _TRANSPORT: 'kernel', SYSLOG_IDENTIFIER: 'kernel' }),
  (message, host) =>
    JSON.stringify({
      MESSAGE: message,
      _HOSTNAME: host,
      _TRANSPORT: 'syslog',
      SYSLOG_IDENTIFIER: 'systemd-oomd',
    }),
  (message, host) => JSON.stringify({ MESSAGE: bytes(message), _HOSTNAME: host, _TRANSPORT: 'kernel' }),
  (message, host) =>
    JSON.stringify({
      MESSAGE: message,
      _HOSTNAME: host,
      _TRANSPORT: 'syslog',
      SYSLOG_IDENTIFIER: bytes('systemd-oomd'),
    }),
  (message, host) =>
    `{"MESSAGE":"${[...message].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}","_HOSTNAME":"${host}","_TRANSPORT":"kernel"}`,
];

function wrapIn(transport: number): (message: string, host: string) => string {
  return TRANSPORTS[transport] ?? ((message) => message);
}

const lineArb = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...messages) },
      { weight: 3, arbitrary: fc.constantFrom(...NOISE) },
      { weight: 2, arbitrary: fc.constantFrom(...OOMD) },
      // A message with noise before or after it: text that the narrower test must still see, or rightly not.
      fc
        .tuple(fc.constantFrom(...messages), fc.constantFrom(...NOISE), fc.boolean())
        .map(([message, noise, before]) => (before ? `${noise} ${message}` : `${message} ${noise}`)),
    ),
    fc.nat({ max: TRANSPORTS.length - 1 }),
    fc.constantFrom('vm', 'ip-10-0-1-5', 'memory-box'),
  )
  .map(([message, transport, host]) => wrapIn(transport)(message, host));

describe('skipping, while no report is open, the lines that could change nothing', () => {
  it('finds the same kills in every real report, as given and with noise between its lines', () => {
    let kills = 0;
    for (const lines of fixtureLines) {
      kills += expectSameReading(lines);
      expectSameReading(lines.flatMap((line, i) => [line, NOISE[i % NOISE.length] ?? '']));
    }
    expect(kills).toBeGreaterThan(100);
  });

  it('finds the same kills in logs of report messages, noise and oomd blocks, in every transport', () => {
    let kills = 0;
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 60 }), (lines) => {
        kills += expectSameReading(lines);
      }),
      { numRuns: 3_000 },
    );
    // Kills were found, so reports were opened and closed among the skipped lines.
    expect(kills).toBeGreaterThan(100);
  });

  it('finds the same kills in real reports carried by any transport, with noise and other lines anywhere', () => {
    let kills = 0;
    const insertion = fc.tuple(fc.nat(), lineArb);
    fc.assert(
      fc.property(
        fc.nat({ max: fixtureLines.length - 1 }),
        fc.nat({ max: TRANSPORTS.length - 1 }),
        fc.array(insertion, { maxLength: 30 }),
        (sample, transport, insertions) => {
          const wrap = wrapIn(transport);
          const envelope = { referenceDate: CORPUS_REFERENCE_DATE };
          const lines = (fixtureLines[sample] ?? []).map((line) =>
            wrap(parseEnvelope(line, envelope).body, 'vm'),
          );
          for (const [at, line] of insertions) lines.splice(at % (lines.length + 1), 0, line);
          kills += expectSameReading(lines);
        },
      ),
      { numRuns: 1_500 },
    );
    expect(kills).toBeGreaterThan(1_000);
  });

  it('reads every line of every real report that names a report message, in every transport', () => {
    let read = 0;
    for (const message of messages) {
      if (classifyKernelMessage(message) === null) continue;
      for (const transport of TRANSPORTS) {
        const line = transport(message, 'vm');
        if (!mayOpenReport(line)) expect.fail(`would skip ${line}`);
        read++;
      }
    }
    expect(read).toBeGreaterThan(10_000);
  });

  it('asks an overriding mayOpenReport from pushBytes too, instead of skipping by the WebAssembly scan', () => {
    const asked: string[] = [];
    class Asking extends KernelLogParser {
      protected override mayOpenReport(line: string): boolean {
        asked.push(line);
        return mayOpenReport(line);
      }
    }
    const noise = NOISE.join('\n');
    new Asking({ referenceDate: CORPUS_REFERENCE_DATE, byteView: NODE_BYTE_VIEW }).pushBytes(
      Buffer.from(noise),
    );
    // The noise the prefilter lets through reaches the override, as it does by pushLine.
    expect(asked).toContain(' out_of_memory+0xe4/0x360');
    expect(asked).toContain('Disabling lock debugging due to kernel taint');
  });
});
