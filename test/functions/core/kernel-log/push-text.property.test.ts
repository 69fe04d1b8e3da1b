import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelLogParser, type Kill } from '../../../../functions/core/kernel-log';
import { parseEnvelope } from '../../../../functions/core/kernel-log/envelope';
import {
  isHumanClockLine,
  mayBelongToReport,
  nextCandidateLine,
} from '../../../../functions/core/kernel-log/prefilter';
import { CORPUS_REFERENCE_DATE, KERNEL_CORPUS } from '../../../support/corpus';

/**
 * `pushText` skips the noise of a chunk with one scan of it instead of splitting it into lines (`parser.ts`):
 * fed the same lines cut into any chunks, it must give what `pushLine` of each line gives — the same kills from
 * each chunk's lines, the same problems, the same kills at `end()`.
 */

/** Every `.log` file of the corpus, as its lines. */
const corpusFiles: { name: string; lines: string[] }[] = [];
for (const theme of readdirSync(KERNEL_CORPUS, { withFileTypes: true })) {
  if (!theme.isDirectory()) continue;
  const dir = `${KERNEL_CORPUS}${theme.name}/`;
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (!file.endsWith('.log')) continue;
    const text = readFileSync(`${dir}${file}`, 'utf8');
    const lines = text.split('\n');
    if (text.endsWith('\n')) lines.pop();
    corpusFiles.push({ name: `${theme.name}/${file}`, lines });
  }
}

/** The kernel messages of the corpus, without their transports. */
const messages = [
  ...new Set(
    corpusFiles
      .flatMap((file) => file.lines)
      .map((line) => parseEnvelope(line, { referenceDate: CORPUS_REFERENCE_DATE }).body),
  ),
].filter((message) => message.length > 0);

/** Lines no report needs, some of which the prefilter lets through (call traces, applications' messages). */
const NOISE = [
  'usb 1-1: new high-speed USB device number 2 using xhci_hcd',
  'EXT4-fs (nvme0n1p1): mounted filesystem with ordered data mode. Quota mode: none.',
  ' out_of_memory+0xe4/0x360',
  '-bash: fork: Cannot allocate memory',
  'systemd-journald[375]: Under memory pressure, flushing caches.',
  'Disabling lock debugging due to kernel taint',
  'IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready',
  'audit: type=1400 audit(1700000000.123:42): apparmor="STATUS" operation="profile_load"',
];

/** Lines `pushLine` reads whatever the prefilter says: `dmesg -H` and `dmesg -T` clocks. */
const CLOCKS = [
  '[Nov25 16:58] usb 1-1: new high-speed USB device number 2 using xhci_hcd',
  '[Nov25 17:02] ',
  '[Mon Nov 25 16:58:01 2026] eth0: link up',
  '[\u00e9t\u00e9] not a clock, but read as one',
  '[Z',
  '[',
  '[1',
];

const TRANSPORTS: ((message: string, host: string) => string)[] = [
  (message) => message,
  (message) => `[  123.456789] ${message}`,
  (message, host) => `Nov 25 16:58:01 ${host} kernel: ${message}`,
  (message, host) => `2026-11-25T16:58:01.123456+00:00 ${host} kernel: ${message}`,
  (message) => `<6>[  123.456789] ${message}`,
  (message) => `[Nov25 16:58] ${message}`,
  (message) => `[  +0.000120] ${message}`,
  (message, host) =>
    JSON.stringify({ MESSAGE: message, _HOSTNAME: host, _TRANSPORT: 'kernel', SYSLOG_IDENTIFIER: 'kernel' }),
];

/** A CloudWatch Logs subscription event carrying lines, and one whose payload does not decode (a problem). */
function subscriptionEvent(lines: readonly string[]): string {
  const batch = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/oom/kernel',
    logStream: 'i-0123',
    subscriptionFilters: ['oom'],
    logEvents: lines.map((message, i) => ({ id: String(i), timestamp: 1_795_627_850_000 + i, message })),
  };
  return JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(batch)).toString('base64') } });
}
const BROKEN_EVENT = '{"awslogs":{"data":"bm90IGd6aXA="}}';

const hostArb = fc.constantFrom('vm', 'ip-10-0-1-5', 'memory-box');

/** How a line ends before its `\n`: mostly as it is, sometimes with a CR (a CRLF file). */
const crArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constant('\r') },
);

/** A piece of a log: a few lines. */
const segmentArb: fc.Arbitrary<string[]> = fc.oneof(
  // A real report (or negative sample) carried by one transport, on one host.
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.nat({ max: corpusFiles.length - 1 }), fc.nat({ max: TRANSPORTS.length }), hostArb, crArb)
      .map(([file, transport, host, cr]) => {
        const lines = corpusFiles[file]?.lines ?? [];
        const wrap = TRANSPORTS[transport];
        if (!wrap) return lines.map((line) => line + cr);
        const context = { referenceDate: CORPUS_REFERENCE_DATE };
        return lines.map((line) => wrap(parseEnvelope(line, context).body, host) + cr);
      }),
  },
  // One report message, anywhere.
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...messages), fc.nat({ max: TRANSPORTS.length - 1 }), hostArb, crArb)
      .map(([message, transport, host, cr]) => [
        (TRANSPORTS[transport] ?? ((m: string) => m))(message, host) + cr,
      ]),
  },
  // A run of noise long enough to cross multiples of 256 lines, to let reports go stale and run out.
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.nat({ max: 1300 }), fc.nat({ max: NOISE.length - 1 }), crArb)
      .map(([count, first, cr]) =>
        Array.from({ length: count }, (_, i) => (NOISE[(first + i) % NOISE.length] ?? '') + cr),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...NOISE, ...CLOCKS, '', '\r', '\r\r', 'oom\r', '[ 1234]\r')
      .map((line) => [line]),
  },
  // A very long line, with or without a phrase of the prefilter at its end.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat({ max: 20_000 }), fc.constantFrom('', ' oom', ' Killed process 1 (x)', ' due to'))
      .map(([length, tail]) => [`${'x'.repeat(length)}${tail}`]),
  },
  // JSON documents: a subscription event of report lines, and one that fails to decode.
  {
    weight: 1,
    arbitrary: fc
      .subarray(messages.slice(0, 400), { maxLength: 20 })
      .map((lines) => [subscriptionEvent(lines), BROKEN_EVENT]),
  },
  // Arbitrary text, newlines taken out.
  {
    weight: 1,
    arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map((s) => [s.replaceAll('\n', ' ')]),
  },
);

/** Lines (each without its `\n`) cut into runs: each run a chunk as `pushText` takes it. */
type Runs = string[][];

/** Cut `lines` before each index in `cuts`. */
function runsOf(lines: readonly string[], cuts: readonly number[]): Runs {
  const at = [...new Set(cuts.map((cut) => cut % (lines.length + 1)))].sort((a, b) => a - b);
  const runs: Runs = [];
  let start = 0;
  for (const cut of [...at, lines.length]) {
    runs.push(lines.slice(start, cut));
    start = Math.max(start, cut);
  }
  return runs;
}

/** A run as text: each line ends with `\n`, except that the last may not (when that loses no empty line). */
function textOf(run: readonly string[], lastWithoutNewline: boolean): string {
  const text = run.map((line) => `${line}\n`).join('');
  const last = run.at(-1);
  return lastWithoutNewline && last !== undefined && last.length > 0 ? text.slice(0, -1) : text;
}

interface Reading {
  /** The kills each run gave, then those of `end()`. */
  kills: Kill[][];
  problems: string[];
}

function byLines(runs: Runs): Reading {
  const parser = new KernelLogParser({ referenceDate: CORPUS_REFERENCE_DATE });
  const kills = runs.map((run) => run.flatMap((line) => parser.pushLine(line)));
  kills.push(parser.end());
  return { kills, problems: parser.problems.map((problem) => problem.message) };
}

function byText(runs: Runs, lastWithoutNewline: (index: number) => boolean): Reading {
  const parser = new KernelLogParser({ referenceDate: CORPUS_REFERENCE_DATE });
  const kills = runs.map((run, i) => [...parser.pushText(textOf(run, lastWithoutNewline(i)))]);
  kills.push(parser.end());
  return { kills, problems: parser.problems.map((problem) => problem.message) };
}

/** Compare the two readings of `lines` cut at `cuts`; the number of kills found. */
function expectSameReading(lines: readonly string[], cuts: readonly number[], seed: number): number {
  const runs = runsOf(lines, cuts);
  const expected = byLines(runs);
  expect(byText(runs, (i) => ((seed >> (i % 30)) & 1) === 1)).toEqual(expected);
  return expected.kills.flat().length;
}

/** The line test `nextCandidateLine` must agree with: what `pushLine` reads while no report waits. */
function mustRead(line: string): boolean {
  const stripped = line.endsWith('\r') ? line.slice(0, -1) : line;
  return mayBelongToReport(stripped) || isHumanClockLine(stripped);
}

describe('the chunk scan finds exactly the lines the line test reads', () => {
  const PIECES = [
    'oom',
    'emory',
    'due to',
    'pid ]',
    'swap  =',
    '[ 1234]     0',
    '[1] -1',
    ': [',
    '] [',
    '[',
    ']',
    ' ',
    '5',
    'N',
    '\u00e9',
    '\r',
    '\n',
    'm',
    'Task',
    's in',
    '"ev',
    'ents"',
  ];
  const textArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((pieces) => pieces.join(''));

  it('from every line start, the next line the line test reads, and none across a newline', () => {
    let found = 0;
    fc.assert(
      fc.property(textArb, (text) => {
        const lines = text.split('\n');
        if (text.endsWith('\n')) lines.pop();
        const starts: number[] = [];
        for (let at = 0, i = 0; i < lines.length; i++) {
          starts.push(at);
          at += (lines[i] ?? '').length + 1;
        }
        for (let i = 0; i < lines.length; i++) {
          let next = i;
          while (next < lines.length && !mustRead(lines[next] ?? '')) next++;
          const expected = next < lines.length ? (starts[next] ?? -1) : -1;
          expect(nextCandidateLine(text, starts[i] ?? 0)).toBe(expected);
          if (expected >= 0) found++;
        }
      }),
      { numRuns: 20_000 },
    );
    expect(found).toBeGreaterThan(10_000);
  });

  it('on every line of the corpus, in every transport, with and without a CR', () => {
    let read = 0;
    for (const wrap of TRANSPORTS) {
      for (const cr of ['', '\r']) {
        const lines = messages.map((message) => wrap(message, 'vm') + cr);
        const text = lines.map((line) => `${line}\n`).join('');
        let at = 0;
        for (const line of lines) {
          const next = nextCandidateLine(text, at);
          if (mustRead(line)) {
            if (next !== at) expect.fail(`missed ${JSON.stringify(line)}`);
            read++;
          } else if (next === at) expect.fail(`read ${JSON.stringify(line)}`);
          at += line.length + 1;
        }
      }
    }
    expect(read).toBeGreaterThan(1_000);
  });
});

describe('pushText gives what pushLine of each line gives', () => {
  it('over every corpus file, cut into chunks at random lines', () => {
    let kills = 0;
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), fc.nat(), (cuts, seed) => {
        for (const file of corpusFiles) kills += expectSameReading(file.lines, cuts, seed);
      }),
      { numRuns: 8 },
    );
    expect(kills).toBeGreaterThan(1_000);
  });

  it('over corpus files with runs of noise between their lines, crossing multiples of 256, in many chunks', () => {
    // Reports go stale in the noise, at a multiple of 256 lines: many cuts put some of them just before or after.
    let kills = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: corpusFiles.length - 1 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 200, max: 1300 }),
        fc.array(fc.nat(), { minLength: 50, maxLength: 400 }),
        fc.nat(),
        (file, every, gap, cuts, seed) => {
          const lines = (corpusFiles[file]?.lines ?? []).flatMap((line, i) =>
            i % every === every - 1
              ? [line, ...Array.from({ length: gap + i }, (_, j) => NOISE[j % NOISE.length] ?? '')]
              : [line],
          );
          kills += expectSameReading(lines, cuts, seed);
        },
      ),
      { numRuns: 300 },
    );
    expect(kills).toBeGreaterThan(100);
  });

  it('over generated logs of reports, noise, clocks, CRLF, blank and long lines and JSON, in any chunks', () => {
    let kills = 0;
    let problems = 0;
    fc.assert(
      fc.property(
        fc.array(segmentArb, { maxLength: 25 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.nat(),
        (segments, cuts, seed) => {
          const lines = segments.flat();
          kills += expectSameReading(lines, cuts, seed);
          problems += byLines([lines]).problems.length;
        },
      ),
      { numRuns: 400 },
    );
    // Reports were found and problems seen, so the comparison above is not vacuous.
    expect(kills).toBeGreaterThan(500);
    expect(problems).toBeGreaterThan(10);
  });

  it('treats an empty text as no line, and a text ending without a newline as ending with its last line', () => {
    // Each line its own text, without its `\n` (an empty line needs it: an empty text holds no line), between
    // runs of noise that let reports go stale: each call must give the kills pushLine of that line gives, so a
    // line miscounted shows as a kill given one call early or late.
    let kills = 0;
    for (const [index, file] of corpusFiles.entries()) {
      if (index % 4 !== 0) continue;
      const lines = file.lines.flatMap((line, i) =>
        i % 5 === 2 ? [line, ...Array.from({ length: 255 + (i % 4) }, () => '')] : [line],
      );
      const runs = lines.map((line) => [line]);
      const expected = byLines(runs);
      const parser = new KernelLogParser({ referenceDate: CORPUS_REFERENCE_DATE });
      const actual = lines.map((line) => [...parser.pushText(''), ...parser.pushText(line || '\n')]);
      actual.push(parser.end());
      expect({ kills: actual, problems: parser.problems.map((problem) => problem.message) }).toEqual(
        expected,
      );
      kills += actual.flat().length;
    }
    expect(kills).toBeGreaterThan(30);
  });
});
