import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NODE_BYTE_VIEW } from '../../../../cli/io/node-byte-view';
import {
  isHumanClockLine,
  mayBelongToReport,
  mayOpenReport,
} from '../../../../functions/core/kernel-log/prefilter';
import {
  JSON_HIDING_EXAMPLES,
  OPENING_EXAMPLES,
  OPENING_PHRASES,
  REPORT_PHRASES,
  TASK_ROWS,
} from '../../../../functions/core/kernel-log/prefilter-phrases';
import { SCAN_WASM, SCAN_WASM_RELAXED } from '../../../../functions/core/kernel-log/scan-wasm.generated';
import { instantiateLineScan, type WasmLineScan } from '../../../../functions/core/kernel-log/wasm-line-scan';
import { corpusFiles, PREFILTER_PIECES, segmentArb } from '../../../support/log-runs';
import { expectSpellsOnly, nearMissLine, type Placement, placements } from '../../../support/phrase-lines';

/**
 * The WebAssembly scan's second set (`next(from, to, true)`, `wasm/opening-line.ts`): from every line start, the
 * next line the parser reads while no report is open, one whose decoding `L` (its trailing `\r` dropped) has
 * `isHumanClockLine(L) || (mayBelongToReport(L) && mayOpenReport(L))`. It may stop early only at a line whose bytes
 * hold `\s` of `mayOpenReport` spelled with bytes above 127 (`wide` below); on ASCII it stops exactly there.
 */

const DECODER = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function reads(line: string): boolean {
  const l = line.endsWith('\r') ? line.slice(0, -1) : line;
  return isHumanClockLine(l) || (mayBelongToReport(l) && mayOpenReport(l));
}

/** `mayOpenReport`'s phrases on the one-byte view, `\s` widened to any unit above 127 (`{0,10}` to 30 units). */
const S = '[\\t\\v\\f\\r \\u0080-\\uffff]';
const WIDE = new RegExp(
  `oom|ill(?:ed)? process|: usage|emory cgroup|Mem-Info|ctive_anon:|swap {1,2}=|pages RAM|Tasks? in|omm: |Killed \\/|pid${S}*\\]|(?:^|[^A-Za-z0-9_])\\[${S}{0,30}\\d{1,10}\\]|awslogs|logEvents|"events"|\\d\\d:\\d\\d${S}*\\]`,
);
const WIDE_JSON = new RegExp(`\\\\|"${S}*:${S}*\\[`);

function wide(viewLine: string): boolean {
  const l = viewLine.endsWith('\r') ? viewLine.slice(0, -1) : viewLine;
  const opens = WIDE.test(l) || (l.startsWith('{') && WIDE_JSON.test(l));
  return isHumanClockLine(l) || (mayBelongToReport(l) && opens);
}

const SCANS: WasmLineScan[] = [instantiateLineScan(SCAN_WASM), instantiateLineScan(SCAN_WASM_RELAXED)].filter(
  (scan) => scan !== null,
);

/** Check the scan from every line start of `run`, loaded at `before.length` of a chunk; returns lines found. */
function expectReadLines(run: Uint8Array, before: Uint8Array): number {
  const starts: number[] = [];
  for (let at = 0; at < run.length; at = run.indexOf(10, at) + 1 || run.length) starts.push(at);
  const ends = starts.map((start) => (run.indexOf(10, start) + 1 || run.length + 1) - 1);
  const decoded = starts.map((start, i) => DECODER.decode(run.subarray(start, ends[i])));
  const view = starts.map((start, i) => NODE_BYTE_VIEW.view(run.subarray(start, ends[i])));
  const ascii = run.every((byte) => byte < 128);
  let found = 0;
  for (const scan of SCANS) {
    scan.load(Buffer.concat([before, run]));
    scan.select(before.length);
    for (const [index, start] of starts.entries()) {
      const next = scan.next(start, run.length, true);
      const at = next < 0 ? starts.length : starts.indexOf(next);
      expect(at).toBeGreaterThanOrEqual(index);
      expect(scan.skipped).toBe(at - index);
      // No line the parser would read is passed over.
      for (let i = index; i < at; i++) if (reads(decoded[i] ?? '')) expect.fail(`passed ${decoded[i]}`);
      if (next >= 0) {
        found++;
        const line = decoded[at] ?? '';
        if (ascii) expect(reads(line), line).toBe(true);
        else expect(wide(view[at] ?? ''), line).toBe(true);
      }
    }
  }
  return found / SCANS.length;
}

/** A line of near misses, five of the scan's rounds of 32 bytes long. */
const NEAR_MISSES = nearMissLine(160);

/**
 * Check that both modules' second set, from the run's start, finds the line holding `phrase` in `placement` when
 * the parser reads that line, and passes it when the parser does not (the line is ASCII, or the answer may be a
 * superset: see the header). The lines of near misses around it are never read. Returns 1.
 */
let lastLine = '';
let lastRead = false;

function expectReadAt({ run, before, at, line }: Placement, phrase: string): number {
  const where = `${JSON.stringify(phrase)} in ${JSON.stringify(run.toString())} after ${before.length} bytes`;
  // `placements` gives each line 68 times in a row: its answer is kept.
  if (line !== lastLine) {
    lastLine = line;
    lastRead = reads(line);
  }
  const read = lastRead;
  const exact = [...line].every((c) => c.charCodeAt(0) < 128);
  for (const scan of SCANS) {
    scan.load(Buffer.concat([before, run]));
    scan.select(before.length);
    const next = scan.next(0, run.length, true);
    if (read && next !== at) expect.fail(`the scan misses ${where}`);
    if (!read && exact && next !== -1) expect.fail(`the scan finds ${where}`);
    if (next === at && scan.skipped !== (at === 0 ? 0 : 1)) expect.fail(`the scan miscounts before ${where}`);
  }
  return 1;
}

const utf8 = (text: string): number[] => [...Buffer.from(text, 'utf8')];

/** `mayOpenReport`'s phrases (`prefilter-phrases.ts`), their parts, white space in UTF-8. */
const PHRASES = [
  ...OPENING_PHRASES,
  ...OPENING_EXAMPLES,
  '[1234]',
  '[\u3000\u00a012]',
  ...JSON_HIDING_EXAMPLES,
  '"MESSAGE": [',
];
const PIECES: number[][] = [
  ...[
    ...PHRASES,
    ...PHRASES.flatMap((phrase) => [phrase.slice(1), phrase.slice(0, -1)]),
    ...PREFILTER_PIECES,
    'emory',
    'emory',
    'due to',
    'due to',
    'oom',
    '{',
    '\n{',
    '\n',
    '\r\n',
    'x',
    '_',
    ' ',
    '[',
    ']',
    '"',
    ':',
    '9',
    '\u0085',
    '\u00e9',
  ].map(utf8),
  [0xa0],
  [0x85],
  [0xc2],
  [0xe3, 0x80],
  [0xff],
];

const runArb = fc
  .array(fc.constantFrom(...PIECES), { maxLength: 50 })
  .map((pieces) => Uint8Array.from(pieces.flat()));
const beforeArb = fc
  .constantFrom('', 'x\n', 'emory ]\n', '{"a":[\n', 'x'.repeat(15), 'y'.repeat(31))
  .map((text) => Buffer.from(text.length > 0 && !text.endsWith('\n') ? `${text}\n` : text));

describe("the WebAssembly scan's set for while no report is open", () => {
  it('finds, from every line start, the next line the parser reads, in phrases joined in any order', () => {
    let found = 0;
    fc.assert(
      fc.property(runArb, beforeArb, (run, before) => {
        found += expectReadLines(run, before);
      }),
      { numRuns: 20_000 },
    );
    expect(found).toBeGreaterThan(5_000);
  });

  it('finds the lines the parser reads in generated logs and every corpus file', () => {
    let found = 0;
    fc.assert(
      fc.property(fc.array(segmentArb, { maxLength: 6 }), beforeArb, (segments, before) => {
        found += expectReadLines(Buffer.from(segments.flat().join('\n'), 'utf8'), before);
      }),
      { numRuns: 300 },
    );
    for (const file of corpusFiles)
      found += expectReadLines(Buffer.from(`${file.lines.join('\n')}\n`), Buffer.from('x\n'));
    expect(found).toBeGreaterThan(1000);
  });

  it('finds every phrase of the specification at every offset of a long line, every alignment and the chunk end', () => {
    let placed = 0;
    // The prefilter's phrases: all but `emory` and `due to` open a report by themselves (the header says why).
    for (const phrase of [...REPORT_PHRASES, ...TASK_ROWS]) {
      for (const placement of placements(NEAR_MISSES, phrase)) placed += expectReadAt(placement, phrase);
    }
    // `mayOpenReport`'s own phrases, on a line the prefilter lets through by `emory` or `due to` alone.
    for (const phrase of [...OPENING_PHRASES, ...OPENING_EXAMPLES]) {
      const after = (offset: number) =>
        `emory ${NEAR_MISSES.slice(0, offset)}${phrase}${NEAR_MISSES.slice(offset)}`;
      const before = (offset: number) =>
        `${NEAR_MISSES.slice(0, offset)}${phrase}${NEAR_MISSES.slice(offset)}due to`;
      for (const lineOf of [after, before]) {
        for (const placement of placements(NEAR_MISSES, phrase, lineOf))
          placed += expectReadAt(placement, phrase);
      }
    }
    // JSON that can hide a phrase, on a line starting with `{`.
    for (const phrase of JSON_HIDING_EXAMPLES) {
      const lineOf = (offset: number) =>
        `{${NEAR_MISSES.slice(0, offset)}${phrase}${NEAR_MISSES.slice(offset)} emory`;
      for (const placement of placements(NEAR_MISSES, phrase, lineOf))
        placed += expectReadAt(placement, phrase);
    }
    const phrases =
      REPORT_PHRASES.length +
      TASK_ROWS.length +
      2 * (OPENING_PHRASES.length + OPENING_EXAMPLES.length) +
      JSON_HIDING_EXAMPLES.length;
    expect(placed).toBe(phrases * (NEAR_MISSES.length + 1) * 17 * 4);
  });

  it('checks in its source only phrases of the specification', () => {
    expectSpellsOnly('wasm/opening-line.ts', [...OPENING_PHRASES, ...OPENING_EXAMPLES], 3);
  });
});
