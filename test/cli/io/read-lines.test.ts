import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InputBoundError, lineCuts, MAX_JSON_VALUE_CHARS, MAX_LINE_CHARS } from '../../../cli/io/bounds';
import { readLineBatches } from '../../../cli/io/read-lines';
import { drain, lineThatNeverEnds } from '../../support/chunked';

async function linesOf(chunks: (string | Buffer)[], cuts = lineCuts()): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of readLineBatches(Readable.from(chunks, { objectMode: true }), cuts))
    lines.push(...batch);
  return lines;
}

describe('readLineBatches', () => {
  it('joins a line split across chunks, and a UTF-8 character split across them', async () => {
    const euro = Buffer.from('€');
    const chunks = [
      Buffer.from('ab'),
      Buffer.concat([Buffer.from('c\nd'), euro.subarray(0, 1)]),
      euro.subarray(1),
    ];
    expect(await linesOf(chunks)).toEqual(['abc', 'd€']);
  });

  it('cuts a line longer than the cap to the cap, wherever its chunks end, and names it in the note', async () => {
    const cuts = lineCuts();
    const long = 'x'.repeat(MAX_LINE_CHARS + 10);
    const chunks = [
      'first\n',
      long.slice(0, 1000),
      long.slice(1000, MAX_LINE_CHARS + 5),
      `${long.slice(MAX_LINE_CHARS + 5)}\nlast\n`,
    ];
    const lines = await linesOf(chunks, cuts);
    expect(lines.map((line) => line.length)).toEqual([5, MAX_LINE_CHARS, 4]);
    expect(cuts.note('log')).toBe(
      'log: cut 1 line longer than 1 MiB (16 MiB for JSON) to that length, skipping the rest (line 2)',
    );
  });

  it('counts every cut line but names only the first five', async () => {
    const cuts = lineCuts();
    const long = `${'y'.repeat(MAX_LINE_CHARS + 1)}\n`;
    await linesOf(
      Array.from({ length: 7 }, () => `short\n${long}`),
      cuts,
    );
    expect(cuts.note('log')).toBe(
      'log: cut 7 lines longer than 1 MiB (16 MiB for JSON) to that length, skipping the rest (lines 2, 4, 6, 8, 10, ...)',
    );
  });

  it('keeps a line of JSON up to the JSON cap', async () => {
    const cuts = lineCuts();
    const json = `{"message":"${'z'.repeat(2 * MAX_LINE_CHARS)}"}`;
    expect(await linesOf([json, '\n', `{${'z'.repeat(MAX_JSON_VALUE_CHARS)}\n`], cuts)).toEqual([
      json,
      `{${'z'.repeat(MAX_JSON_VALUE_CHARS - 1)}`,
    ]);
    expect(cuts.count).toBe(1);
  });

  it('gives up on a line that never ends, holding none of it', async () => {
    await expect(drain(readLineBatches(lineThatNeverEnds()))).rejects.toThrow(
      new InputBoundError('line 2 runs past 64 MiB without a newline: this is not a text log'),
    );
  });
});
