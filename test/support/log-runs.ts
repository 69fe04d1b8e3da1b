import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { KernelLogParser, type Kill } from '../../functions/core/kernel-log';
import { parseEnvelope } from '../../functions/core/kernel-log/envelope';
import { CORPUS_REFERENCE_DATE, KERNEL_CORPUS } from './corpus';

/**
 * Generated kernel logs for the differential tests of the parser's chunk entry points (`pushText`, `pushBytes`):
 * the corpus files, their messages in many transports, noise, clocks, CRLF, long lines and JSON, and how to cut
 * lines into runs and read them line by line.
 */

/** Every `.log` file of the corpus, as its lines. */
export const corpusFiles: { name: string; lines: string[] }[] = [];
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
export const messages = [
  ...new Set(
    corpusFiles
      .flatMap((file) => file.lines)
      .map((line) => parseEnvelope(line, { referenceDate: CORPUS_REFERENCE_DATE }).body),
  ),
].filter((message) => message.length > 0);

/** Lines no report needs, some of which the prefilter lets through (call traces, applications' messages). */
export const NOISE = [
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
export const CLOCKS = [
  '[Nov25 16:58] usb 1-1: new high-speed USB device number 2 using xhci_hcd',
  '[Nov25 17:02] ',
  '[Mon Nov 25 16:58:01 2026] eth0: link up',
  '[\u00e9t\u00e9] not a clock, but read as one',
  '[Z',
  '[',
  '[1',
];

export const TRANSPORTS: ((message: string, host: string) => string)[] = [
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
export const segmentArb: fc.Arbitrary<string[]> = fc.oneof(
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
export type Runs = string[][];

/** Cut `lines` before each index in `cuts`. */
export function runsOf<Line = string>(lines: readonly Line[], cuts: readonly number[]): Line[][] {
  const at = [...new Set(cuts.map((cut) => cut % (lines.length + 1)))].sort((a, b) => a - b);
  const runs: Line[][] = [];
  let start = 0;
  for (const cut of [...at, lines.length]) {
    runs.push(lines.slice(start, cut));
    start = Math.max(start, cut);
  }
  return runs;
}

/** A run as text: each line ends with `\n`, except that the last may not (when that loses no empty line). */
export function textOf(run: readonly string[], lastWithoutNewline: boolean): string {
  const text = run.map((line) => `${line}\n`).join('');
  const last = run.at(-1);
  return lastWithoutNewline && last !== undefined && last.length > 0 ? text.slice(0, -1) : text;
}

export interface Reading {
  /** The kills each run gave, then those of `end()`. */
  kills: Kill[][];
  problems: string[];
}

export function byLines(runs: Runs): Reading {
  const parser = new KernelLogParser({ referenceDate: CORPUS_REFERENCE_DATE });
  const kills = runs.map((run) => run.flatMap((line) => parser.pushLine(line)));
  kills.push(parser.end());
  return { kills, problems: parser.problems.map((problem) => problem.message) };
}

/**
 * Pieces of text for the prefilter's scans: its phrases and the pieces of them (the anchors alone, a task-table
 * row's brackets and digits, text around them), CR and newlines, to be joined in any order.
 */
export const PREFILTER_PIECES: readonly string[] = [
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
  'm',
  'Task',
  's in',
  '"ev',
  'ents"',
  '\r',
  '\n',
  '\n',
];
