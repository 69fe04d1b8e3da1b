import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InputBoundError,
  type LineTally,
  lineCuts,
  MAX_JSON_VALUE_CHARS,
  MAX_LINE_CHARS,
} from '../../../cli/io/bounds';
import { type LineRun, readLineChunks } from '../../../cli/io/read-chunks';
import { readLineBatches } from '../../../cli/io/read-lines';
import { chunkedBytes, drain, lineThatNeverEnds } from '../../support/chunked';

/** The runs of lines yielded for each chunk of the stream. */
async function chunksOf(chunks: (string | Buffer)[], cuts?: LineTally): Promise<LineRun[][]> {
  const out: LineRun[][] = [];
  for await (const runs of readLineChunks(Readable.from(chunks, { objectMode: true }), cuts)) out.push(runs);
  return out;
}

/** The lines of the chunks, as a consumer splitting them would see them. */
function linesOf(chunks: readonly (readonly LineRun[])[]): string[] {
  return chunks.flat().flatMap(({ text }) => {
    const lines = text.split('\n');
    if (text.endsWith('\n')) lines.pop();
    return lines;
  });
}

async function batchesOf(chunks: (string | Buffer)[], cuts?: LineTally): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of readLineBatches(Readable.from(chunks, { objectMode: true }), cuts))
    out.push(batch);
  return out;
}

const long = (length: number, head = 'x'): string => head + 'y'.repeat(length - head.length);

/** Lines that reach the limits, and some that do not, with characters of 1 to 4 UTF-8 bytes. */
const line = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.string({ unit: fc.constantFrom('a', ' ', '[', '{', '\r', 'é', '€', '😀'), maxLength: 40 }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      long(MAX_LINE_CHARS),
      long(MAX_LINE_CHARS + 1),
      long(MAX_LINE_CHARS + 3, '€'),
      `${long(MAX_LINE_CHARS)}\r`,
      long(MAX_LINE_CHARS + 2, '{'),
      long(MAX_JSON_VALUE_CHARS + 1, '{'),
    ),
  },
);

const input = chunkedBytes(
  fc
    .record({ lines: fc.array(line, { maxLength: 30 }), endsWithNewline: fc.boolean() })
    .map(
      ({ lines, endsWithNewline }) => lines.join('\n') + (endsWithNewline && lines.length > 0 ? '\n' : ''),
    ),
);

describe('readLineChunks', () => {
  it('yields the lines readLineBatches does, per stream chunk, numbered, with the same cuts', async () => {
    await fc.assert(
      fc.asyncProperty(input, async (chunks) => {
        const byLines = lineCuts();
        const byChunks = lineCuts();
        const batches = await batchesOf(chunks, byLines);
        const read = await chunksOf(chunks, byChunks);
        expect(read.map((chunk) => linesOf([chunk]))).toEqual(batches);
        expect(byChunks.note('in')).toBe(byLines.note('in'));
        let next = 1;
        const runs = read.flat();
        for (const [i, run] of runs.entries()) {
          expect(run.firstLine).toBe(next);
          expect(run.text.length).toBeGreaterThan(0);
          if (i < runs.length - 1) expect(run.text.endsWith('\n')).toBe(true);
          next += linesOf([[run]]).length;
        }
      }),
      { numRuns: 150 },
    );
  });

  it('passes the lines of a chunk on as one run, the line carried into it as another', async () => {
    const text = 'one\ntwo\r\nthree\n';
    expect(await chunksOf([Buffer.from(`${text}fo`), Buffer.from('ur\nfive\nsix\n'), 'seven'])).toEqual([
      [{ text, firstLine: 1 }],
      [
        { text: 'four\n', firstLine: 4 },
        { text: 'five\nsix\n', firstLine: 5 },
      ],
      [{ text: 'seven', firstLine: 7 }],
    ]);
  });

  it('cuts a line longer than the cap wherever its chunks end, and names it in the note', async () => {
    const cuts = lineCuts();
    const line = 'x'.repeat(MAX_LINE_CHARS + 10);
    const chunks = [
      'first\n',
      line.slice(0, 1000),
      line.slice(1000, MAX_LINE_CHARS + 5),
      `${line.slice(MAX_LINE_CHARS + 5)}\nlast\n`,
    ];
    const read = await chunksOf(chunks, cuts);
    expect(linesOf(read).map((l) => l.length)).toEqual([5, MAX_LINE_CHARS, 4]);
    expect(read.flat().map((run) => run.firstLine)).toEqual([1, 2, 3]);
    expect(cuts.note('log')).toBe(
      'log: cut 1 line longer than 1 MiB (16 MiB for JSON) to that length, skipping the rest (line 2)',
    );
  });

  it('cuts long lines inside one chunk under their own numbers', async () => {
    const cuts = lineCuts();
    const longLine = 'y'.repeat(MAX_LINE_CHARS + 1);
    const read = await chunksOf([`short\n${longLine}\nshort\n${longLine}\nend`], cuts);
    expect(linesOf(read).map((l) => l.length)).toEqual([5, MAX_LINE_CHARS, 5, MAX_LINE_CHARS, 3]);
    expect(cuts.note('log')).toBe(
      'log: cut 2 lines longer than 1 MiB (16 MiB for JSON) to that length, skipping the rest (lines 2, 4)',
    );
  });

  it('keeps a line of JSON up to the JSON cap, when a chunk starts with it or ends in it', async () => {
    const cuts = lineCuts();
    const json = `{"message":"${'z'.repeat(2 * MAX_LINE_CHARS)}"}`;
    const chunks = [
      'text\n',
      json.slice(0, MAX_LINE_CHARS + 5),
      json.slice(MAX_LINE_CHARS + 5),
      '\n',
      json.slice(0, 10),
      `${json.slice(10)}\n`,
      `{${'z'.repeat(MAX_JSON_VALUE_CHARS)}\n`,
    ];
    expect(linesOf(await chunksOf(chunks, cuts))).toEqual([
      'text',
      json,
      json,
      `{${'z'.repeat(MAX_JSON_VALUE_CHARS - 1)}`,
    ]);
    expect(cuts.note('log')).toMatch(/\(line 4\)$/);
  });

  it('gives up on a line that never ends, holding none of it', async () => {
    await expect(drain(readLineChunks(lineThatNeverEnds()))).rejects.toThrow(
      new InputBoundError('line 2 runs past 64 MiB without a newline: this is not a text log'),
    );
  });
});
