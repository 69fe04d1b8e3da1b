import { readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NODE_BYTE_VIEW } from '../../../../cli/io/node-byte-view';
import { type ByteView, KernelLogParser, type Kill } from '../../../../functions/core/kernel-log';
import { CORPUS_REFERENCE_DATE, KERNEL_CORPUS } from '../../../support/corpus';
import { byLines, corpusFiles, type Reading, runsOf, segmentArb } from '../../../support/log-runs';

/**
 * `pushBytes` finds the noise on a one-byte view of UTF-8 bytes and decodes only the lines it reads
 * (`byte-view.ts`): fed a log's bytes cut into runs of whole lines, it must give what `pushText` gives for each
 * run decoded as the CLI decodes (`StringDecoder`), and what `pushLine` gives for each line of the decoded log,
 * with valid and invalid UTF-8 alike.
 */

/** Node's view, the default (`WEB_BYTE_VIEW`), and Node's latin1 with no chunk taken for ASCII. */
const BYTE_VIEWS: (ByteView | undefined)[] = [
  NODE_BYTE_VIEW,
  undefined,
  { view: NODE_BYTE_VIEW.view, isAscii: () => false },
];

/** Bytes put into lines: UTF-8 characters, a byte-order mark, C1-range and lone continuation bytes, broken sequences. */
const ODD_BYTES: number[][] = [
  [...Buffer.from('\u00e9\u20ac\u{1f600}', 'utf8')],
  [0xef, 0xbb, 0xbf],
  [0x80],
  [0x85, 0x9f],
  [0xc2],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xff],
];

/** A line's bytes with odd bytes put in at some places (`[position, piece]`), at its start and end included. */
function withOddBytes(line: Uint8Array, inserts: readonly [number, number][]): Uint8Array {
  const bytes = [...line];
  for (const [position, piece] of inserts)
    bytes.splice(position % (bytes.length + 1), 0, ...(ODD_BYTES[piece] ?? []));
  return Uint8Array.from(bytes);
}

/** A run of lines as bytes: each ends with `\n`, except that the last may not (when that loses no empty line). */
function bytesOf(run: readonly Uint8Array[], lastWithoutNewline: boolean): Uint8Array {
  const chunk = Buffer.concat(run.flatMap((line) => [line, Buffer.from('\n')]));
  const last = run.at(-1);
  return lastWithoutNewline && last !== undefined && last.length > 0 ? chunk.subarray(0, -1) : chunk;
}

function reading(parser: KernelLogParser, kills: (readonly Kill[])[]): Reading {
  return {
    kills: [...kills.map((k) => [...k]), parser.end()],
    problems: parser.problems.map((p) => p.message),
  };
}

/**
 * Compare pushBytes (with one of `BYTE_VIEWS`), pushText of each run as
 * `StringDecoder` decodes it, and pushLine of each decoded line; the number of kills found.
 */
function expectSameReading(lines: readonly Uint8Array[], cuts: readonly number[], seed: number): number {
  const runs = runsOf(lines, cuts);
  // Only the last chunk may end without a newline: a reader cuts the others after one, so no UTF-8 sequence
  // straddles two chunks (a `\n` ends any), and the decoder only flushes at the end.
  const chunks = runs.map((run, i) => bytesOf(run, i === runs.length - 1 && (seed & 2) === 2));
  const options = { referenceDate: CORPUS_REFERENCE_DATE };
  // The CLI's decoding: one StringDecoder over the whole stream, split at `\n`; each run keeps its lines.
  const decoder = new StringDecoder('utf8');
  const texts = chunks.map((chunk) => decoder.write(Buffer.from(chunk)));
  texts.push(`${texts.pop() ?? ''}${decoder.end()}`);
  const expected = byLines(
    runs.map((run, i) => (run.length === 0 ? [] : (texts[i] ?? '').replace(/\n$/, '').split('\n'))),
  );
  const byText = new KernelLogParser(options);
  expect(
    reading(
      byText,
      texts.map((text) => byText.pushText(text)),
    ),
  ).toEqual(expected);
  const byteView = BYTE_VIEWS[seed % BYTE_VIEWS.length];
  const byBytes = new KernelLogParser({ ...options, ...(byteView ? { byteView } : {}) });
  expect(
    reading(
      byBytes,
      chunks.map((chunk) => byBytes.pushBytes(chunk)),
    ),
  ).toEqual(expected);
  return expected.kills.flat().length;
}

const encode = (line: string): Uint8Array => Buffer.from(line, 'utf8');
const NOISE_LINE = 'usb 1-1: new high-speed USB device number ';

describe('pushBytes gives what pushText of the decoded text and pushLine of each line give', () => {
  it('over every corpus file as bytes, cut into chunks at random newlines', () => {
    let kills = 0;
    const files = corpusFiles.map((file) => {
      const bytes = readFileSync(`${KERNEL_CORPUS}${file.name}`);
      const lines: Uint8Array[] = [];
      for (let start = 0; start < bytes.length; ) {
        const end = bytes.indexOf(10, start);
        lines.push(bytes.subarray(start, end < 0 ? bytes.length : end));
        start = end < 0 ? bytes.length : end + 1;
      }
      return lines;
    });
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), fc.nat(), (cuts, seed) => {
        for (const lines of files) kills += expectSameReading(lines, cuts, seed);
      }),
      { numRuns: 8 },
    );
    expect(kills).toBeGreaterThan(1_000);
  });

  it('over the whole corpus as one log, with lines longer than a view put in, in chunks of many views', () => {
    // pushBytes views a chunk in pieces of about 64 KiB (VIEW_BYTES): lines straddle their ends, some lines
    // are longer than a piece, and a report's lines fall in two pieces.
    const corpus = corpusFiles.flatMap((file) => file.lines).map(encode);
    let kills = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.integer({ min: 60_000, max: 200_000 }),
            fc.constantFrom('', ' oom', '\u00e9'),
          ),
          { maxLength: 4 },
        ),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: ODD_BYTES.length - 1 })), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.nat(),
        (longs, inserts, cuts, seed) => {
          const lines = [...corpus];
          for (const [index, length, tail] of longs)
            lines.splice(index % (lines.length + 1), 0, encode(`${'x'.repeat(length)}${tail}`));
          for (const [index, position, piece] of inserts) {
            const i = index % lines.length;
            lines[i] = withOddBytes(lines[i] ?? new Uint8Array(), [[position, piece]]);
          }
          kills += expectSameReading(lines, cuts, seed);
        },
      ),
      { numRuns: 12 },
    );
    expect(kills).toBeGreaterThan(1_000);
  });

  it('counts a line longer than a view once, as a report waiting for oom_reaper shows at its stale line', () => {
    // The victim's report closes at the first multiple of 256 lines once 256 quiet lines have passed; its
    // oom_reaper line counts only before that. Sweeping the gap over that line shows any miscount of the long
    // line, which is a piece of its own (longer than VIEW_BYTES) and must end at its own newline.
    const stamp = 'May 15 23:13:51 vm kernel: [  778.978329]';
    const victim = `${stamp} Out of memory: Killed process 16432 (journald) total-vm:168032kB, anon-rss:4040kB, file-rss:3084kB, shmem-rss:0kB`;
    const reaper = `${stamp} oom_reaper: reaped process 16432 (journald), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB`;
    const reaped = new Set<boolean>();
    for (let gap = 505; gap <= 515; gap++) {
      const lines = [
        victim,
        'x'.repeat(70_000),
        ...Array.from({ length: gap }, (_, i) => NOISE_LINE + i),
        reaper,
      ];
      const [kill] = byLines([lines]).kills.flat();
      reaped.add(kill?.reapedAnonRssKb !== null);
      for (const seed of [0, 1, 2]) expectSameReading(lines.map(encode), [], seed);
    }
    expect([...reaped].sort()).toEqual([false, true]);
  });

  it('over generated logs with odd and invalid UTF-8 put into their lines, in any chunks', () => {
    let kills = 0;
    let odd = 0;
    fc.assert(
      fc.property(
        fc.array(segmentArb, { maxLength: 25 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: ODD_BYTES.length - 1 })), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.nat(),
        (segments, inserts, cuts, seed) => {
          const lines = segments.flat().map(encode);
          for (const [index, position, piece] of inserts) {
            if (lines.length === 0) break;
            const i = index % lines.length;
            lines[i] = withOddBytes(lines[i] ?? new Uint8Array(), [[position, piece]]);
            odd++;
          }
          kills += expectSameReading(lines, cuts, seed);
        },
      ),
      { numRuns: 400 },
    );
    expect(kills).toBeGreaterThan(500);
    expect(odd).toBeGreaterThan(1_000);
  });
});
