import { readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKED_JSON_LINE_CHARS, MAX_LINE_CHARS } from '../../../cli/io/bounds';
import { feedParser } from '../../../cli/io/feed-parser';
import { KernelLogParser, type Kill } from '../../../functions/core/kernel-log';
import { chunkedBytes } from '../../support/chunked';
import { CORPUS_REFERENCE_DATE, KERNEL_CORPUS } from '../../support/corpus';
import { feedParserByLines } from '../../support/feed-by-lines';

/** Every real log of the corpus, whole: the reports in them are what the parser must find alike both ways. */
const logs = readdirSync(KERNEL_CORPUS, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.log'))
  .sort()
  .map((file) => readFileSync(`${KERNEL_CORPUS}${file}`, 'utf8'));
const corpusLines = logs.flatMap((log) => log.split('\n'));
const pretty = logs.filter((log) => log.startsWith('{\n') || log.startsWith('[\n'));

const pad = (length: number): string => 'p'.repeat(length);
const deep = `{"pad":"${pad(CHECKED_JSON_LINE_CHARS)}","a":${'['.repeat(100)}${']'.repeat(100)}}`;
/** Lines past the limits the feeding checks without splitting: long JSON, deep JSON, lines to cut. */
const longLines = [
  `{"MESSAGE":"${pad(CHECKED_JSON_LINE_CHARS)}","_HOSTNAME":"h"}`,
  deep,
  `${deep}\r`,
  `{${pad(CHECKED_JSON_LINE_CHARS)}`,
  `x${pad(CHECKED_JSON_LINE_CHARS)}`,
  `Killed process 1 (a) ${pad(MAX_LINE_CHARS)}`,
  `{"a":${'['.repeat(100)}${pad(MAX_LINE_CHARS)}`,
];

const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...logs) },
  {
    weight: 4,
    arbitrary: fc.array(fc.constantFrom(...corpusLines), { maxLength: 20 }).map((l) => l.join('\n')),
  },
  {
    weight: 2,
    arbitrary: fc.string({
      unit: fc.constantFrom('a', ' ', '{', '[', '"', ']', '}', '€', '😀'),
      maxLength: 30,
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom(...longLines) },
);

const input = chunkedBytes(
  fc
    .record({
      head: fc.option(fc.constantFrom(...pretty), { freq: 4 }),
      segments: fc.array(segment, { maxLength: 8 }),
      crlf: fc.boolean(),
      endsWithNewline: fc.boolean(),
    })
    .map(({ head, segments, crlf, endsWithNewline }) => {
      const text = [...(head === null ? [] : [head]), ...segments].join('\n');
      const joined = crlf ? text.replaceAll('\n', '\r\n') : text;
      return endsWithNewline ? `${joined}\n` : joined;
    }),
);

type Feed = typeof feedParser;

/** What one feeding gives: the batches `emit` got, what `end` added, the notes, the problems, or the error. */
async function outcome(feed: Feed, chunks: (string | Buffer)[]): Promise<unknown> {
  const parser = new KernelLogParser({ referenceDate: CORPUS_REFERENCE_DATE });
  const batches: Kill[][] = [];
  const notes: string[] = [];
  try {
    await feed(
      Readable.from(chunks, { objectMode: true }),
      parser,
      (kills) => {
        batches.push([...kills]);
      },
      { name: 'in', note: (note) => notes.push(note) },
    );
  } catch (error) {
    return { error: (error as Error).message, batches, notes };
  }
  return { batches, end: parser.end(), notes, problems: parser.problems.map((p) => p.message) };
}

describe('feedParser', () => {
  it('gives what feeding readLineBatches line by line gives: the same kills in the same batches, the same notes', async () => {
    await fc.assert(
      fc.asyncProperty(input, async (chunks) => {
        expect(await outcome(feedParser, chunks)).toEqual(await outcome(feedParserByLines, chunks));
      }),
      { numRuns: 200 },
    );
  });

  it('gives what feeding line by line gives for every real log, read in one chunk', async () => {
    for (const log of logs) {
      const chunks = [Buffer.from(log)];
      const byChunks = await outcome(feedParser, chunks);
      expect(byChunks).toEqual(await outcome(feedParserByLines, chunks));
    }
  });
});
