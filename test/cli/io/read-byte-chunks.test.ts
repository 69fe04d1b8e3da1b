import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputBoundError, lineCuts, MAX_LINE_CHARS, MAX_LINE_RUN_CHARS } from '../../../cli/io/bounds';
import { type ByteChunk, readByteChunks } from '../../../cli/io/read-byte-chunks';
import { readLineBatches } from '../../../cli/io/read-lines';

async function chunksOf(pieces: Buffer[], maxLineBytes?: number): Promise<ByteChunk[]> {
  const chunks: ByteChunk[] = [];
  for await (const chunk of readByteChunks(Readable.from(pieces, { objectMode: true }), maxLineBytes))
    chunks.push(chunk);
  return chunks;
}

/** Cut `bytes` into stream pieces before each index in `cuts`. */
function piecesOf(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  return [...at, bytes.length].map((cut, i, all) => bytes.subarray(i === 0 ? 0 : (all[i - 1] ?? 0), cut));
}

const streamArb = fc.tuple(
  fc.array(fc.constantFrom(0x0a, 0x0a, 0x61, 0x20, 0xc3, 0xa9, 0xe2, 0x80), { maxLength: 300 }),
  fc.array(fc.nat(), { maxLength: 12 }),
);

describe('readByteChunks', () => {
  it('yields the stream whole, cut only after newlines, each line in one chunk, wherever the stream was cut', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, async ([bytes, cuts]) => {
        const input = Buffer.from(bytes);
        const chunks = await chunksOf(piecesOf(input, cuts));
        expect(Buffer.concat(chunks.map((chunk) => chunk.bytes)).equals(input)).toBe(true);
        chunks.forEach((chunk, i) => {
          expect(chunk.bytes.length).toBeGreaterThan(0);
          if (i < chunks.length - 1) expect(chunk.bytes.at(-1)).toBe(0x0a);
        });
      }),
      { numRuns: 2_000 },
    );
  });

  it('says a chunk is within the line limit exactly when its longest line is', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, fc.integer({ min: 1, max: 40 }), async ([bytes, cuts], limit) => {
        for (const chunk of await chunksOf(piecesOf(Buffer.from(bytes), cuts), limit)) {
          const text = chunk.bytes.toString('latin1');
          const longest = Math.max(
            ...text
              .replace(/\n$/, '')
              .split('\n')
              .map((line) => line.length),
          );
          expect(chunk.withinLineLimit).toBe(longest <= limit);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('at the CLI limit: a chunk within it is one whose lines readLineBatches leaves uncut', async () => {
    const long = Buffer.alloc(MAX_LINE_CHARS + 1, 0x78);
    const exact = Buffer.alloc(MAX_LINE_CHARS, 0x78);
    const newline = Buffer.from('\n');
    for (const [input, within] of [
      [Buffer.concat([exact, newline, Buffer.from('a\n')]), true],
      [Buffer.concat([Buffer.from('a\n'), long, newline]), false],
      [Buffer.concat([Buffer.from('a\n'), long]), false],
    ] as const) {
      const chunks = await chunksOf(piecesOf(input, [1000, MAX_LINE_CHARS >> 1, MAX_LINE_CHARS + 1]));
      expect(chunks.every((chunk) => chunk.withinLineLimit)).toBe(within);
      const cuts = lineCuts();
      for await (const _ of readLineBatches(Readable.from([input], { objectMode: true }), cuts));
      expect(cuts.count === 0).toBe(within);
    }
  });

  it('ends with an InputBoundError on a line that runs past the limit without a newline', async () => {
    const mib = Buffer.alloc(1024 * 1024, 0x30);
    const pieces = Array.from({ length: MAX_LINE_RUN_CHARS / mib.length + 1 }, () => mib);
    await expect(chunksOf([Buffer.from('a\n'), ...pieces])).rejects.toThrow(InputBoundError);
  });
});
