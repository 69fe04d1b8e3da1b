import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NODE_BYTE_VIEW } from '../../../../cli/io/node-byte-view';
import { nextCandidateLine } from '../../../../functions/core/kernel-log/prefilter';
import { REPORT_PHRASES, TASK_ROWS } from '../../../../functions/core/kernel-log/prefilter-phrases';
import { SCAN_WASM, SCAN_WASM_RELAXED } from '../../../../functions/core/kernel-log/scan-wasm.generated';
import {
  instantiateLineScan,
  type WasmLineScan,
  wasmLineScan,
} from '../../../../functions/core/kernel-log/wasm-line-scan';
import { corpusFiles, PREFILTER_PIECES, segmentArb } from '../../../support/log-runs';
import { expectSpellsOnly, nearMissLine, type Placement, placements } from '../../../support/phrase-lines';

/**
 * The WebAssembly scan (`wasm-line-scan.ts`) stands in for `nextCandidateLine` and `linesIn` in `pushBytes`: from
 * every line's start it must find the line the regular expression finds on the bytes' one-byte view, and count
 * the lines before it. Held to that over generated logs, the prefilter's phrases cut and joined in any order
 * (bytes above 127 among them: the clock alternative takes one after a line's `[`), and every corpus file, at
 * offsets in a chunk as `pushBytes` selects its pieces.
 */

const utf8 = (text: string): number[] => [...Buffer.from(text, 'utf8')];

/** Pieces of bytes: the prefilter's phrases (`prefilter-phrases.ts`) and their parts, bytes above 127. */
const PIECES: number[][] = [
  ...[
    ...PREFILTER_PIECES,
    ...REPORT_PHRASES,
    ...TASK_ROWS,
    '[          1234567890]          -1',
    '[           1]',
    '[1]           5',
    '           ',
    '12345678901]',
    ':',
    '-',
    'TAM',
    'k',
    'p',
    '\n[',
    '[Nov25 16:58]',
    '\u00e9',
  ].map(utf8),
  [0x80],
  [0x9f],
  [0xc3],
  [0xff],
];

const piecesArb = fc
  .array(fc.constantFrom(...PIECES), { maxLength: 60 })
  .map((pieces) => Uint8Array.from(pieces.flat()));

/** Generated log lines (reports in many transports, noise, clocks, JSON), as bytes. */
const logArb = fc
  .array(segmentArb, { maxLength: 6 })
  .map((segments) => Buffer.from(segments.flat().join('\n'), 'utf8'));

/** Where each line of `bytes` starts (lines end with `\n`; the last may not). */
function lineStarts(bytes: Uint8Array): number[] {
  const starts: number[] = [];
  for (let at = 0; at < bytes.length; at = bytes.indexOf(10, at) + 1 || bytes.length) starts.push(at);
  return starts;
}

/**
 * Both modules where the engine runs them: with SIMD alone (Node 20 uses it) and with relaxed SIMD (Node 24 does;
 * run this file on Node 24 to check it: `npx -y node@24 node_modules/vitest/vitest.mjs run <this file>`).
 */
const SCANS: WasmLineScan[] = [instantiateLineScan(SCAN_WASM), instantiateLineScan(SCAN_WASM_RELAXED)].filter(
  (scan) => scan !== null,
);

/**
 * Compare the scan of `run` with the regular expression from every line start, `run` put at `offset` of a chunk
 * after `before` (whole lines) and followed by `after`, as `pushBytes` loads a chunk and selects a piece of it.
 * Returns how many lines were found.
 */
function expectSameLines(run: Uint8Array, before: Uint8Array, after: Uint8Array): number {
  let found = 0;
  for (const scan of SCANS) found += expectSameLinesOf(scan, run, before, after);
  return found / SCANS.length;
}

function expectSameLinesOf(
  scan: WasmLineScan,
  run: Uint8Array,
  before: Uint8Array,
  after: Uint8Array,
): number {
  const chunk = Buffer.concat([before, run, after]);
  scan.load(chunk);
  scan.select(before.length);
  const view = NODE_BYTE_VIEW.view(run);
  const starts = lineStarts(run);
  let found = 0;
  for (const [index, start] of starts.entries()) {
    const expected = nextCandidateLine(view, start);
    const next = scan.next(start, run.length);
    expect(next).toBe(expected);
    // The lines passed: those from this one up to the one found, or all that are left.
    expect(scan.skipped).toBe((expected < 0 ? starts.length : starts.indexOf(expected)) - index);
    if (expected >= 0) found++;
  }
  return found;
}

/** A line of near misses, five of the scan's rounds of 32 bytes long. */
const NEAR_MISSES = nearMissLine(160);

/**
 * Check that the regular expression and both modules find the line holding `phrase` in `placement`'s run, from
 * its start: a phrase of the specification that a scan misses is a report's line skipped unread. Returns 1.
 */
function expectFoundAt({ run, before, at }: Placement, phrase: string): number {
  const where = `${JSON.stringify(phrase)} in ${JSON.stringify(run.toString())} after ${before.length} bytes`;
  if (nextCandidateLine(NODE_BYTE_VIEW.view(run), 0) !== at) expect.fail(`the prefilter misses ${where}`);
  for (const scan of SCANS) {
    scan.load(Buffer.concat([before, run]));
    scan.select(before.length);
    if (scan.next(0, run.length) !== at) expect.fail(`the scan misses ${where}`);
    if (scan.skipped !== (at === 0 ? 0 : 1))
      expect.fail(`the scan counts ${scan.skipped} lines before ${where}`);
  }
  return 1;
}

/** Lines to put before a run in its chunk (ending with `\n`), and bytes after it (starting a line). */
const contextArb = fc.tuple(
  piecesArb.map((bytes) => (bytes.length === 0 ? bytes : Buffer.concat([bytes, Buffer.from('\n')]))),
  piecesArb,
);

describe('the WebAssembly line scan', () => {
  it('is there on the Nodes this project runs on, with relaxed SIMD where the engine has it', () => {
    expect(wasmLineScan()).not.toBeNull();
    expect(SCANS.length).toBe(process.versions.node.startsWith('20.') ? 1 : 2);
  });

  it('finds, from every line start, the line the regular expression finds, in phrases joined in any order', () => {
    let found = 0;
    fc.assert(
      fc.property(piecesArb, contextArb, (run, [before, after]) => {
        // A run ends with its last line's `\n` or at the chunk's end: cut `after` off when `run` lacks one.
        found += expectSameLines(run, before, run.at(-1) === 10 ? after : new Uint8Array(0));
      }),
      { numRuns: 20_000 },
    );
    expect(found).toBeGreaterThan(10_000);
  });

  it('finds the same lines in generated logs of reports, noise, clocks and JSON', () => {
    let found = 0;
    fc.assert(
      fc.property(logArb, contextArb, (run, [before]) => {
        found += expectSameLines(run, before, new Uint8Array(0));
      }),
      { numRuns: 300 },
    );
    expect(found).toBeGreaterThan(1000);
  });

  it('finds the same lines in every corpus file', () => {
    let found = 0;
    for (const file of corpusFiles) {
      const bytes = Buffer.from(`${file.lines.join('\n')}\n`, 'utf8');
      found += expectSameLines(bytes, Buffer.from('noise\n'), Buffer.from('oom\n'));
    }
    expect(found).toBeGreaterThan(1000);
  });

  it('finds every phrase of the specification at every offset of a long line, every alignment and the chunk end', () => {
    let placed = 0;
    for (const phrase of [...REPORT_PHRASES, ...TASK_ROWS]) {
      for (const placement of placements(NEAR_MISSES, phrase)) placed += expectFoundAt(placement, phrase);
    }
    // A clock counts only first on its line: there, before lines of every length.
    for (const clock of ['[Nov25 16:58]', '[Z', '[\u00e9t\u00e9]']) {
      const lineOf = (offset: number) => `${clock}${NEAR_MISSES.slice(offset)}`;
      for (const placement of placements(NEAR_MISSES, clock, lineOf))
        placed += expectFoundAt(placement, clock);
    }
    expect(placed).toBe((REPORT_PHRASES.length + TASK_ROWS.length + 3) * (NEAR_MISSES.length + 1) * 17 * 4);
  });

  it('checks in its source only phrases of the specification', () => {
    expectSpellsOnly('wasm/line-scan.ts', [...REPORT_PHRASES, ...TASK_ROWS], 15);
  });

  it('is what the committed source compiles to (the generated module is rebuilt and compared)', () => {
    expect(() =>
      execFileSync(process.execPath, ['scripts/build-scan-wasm.mjs', '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });
});
