import { feedParser } from '../cli/io/feed-parser';
import { readFileChunks } from '../cli/io/file-chunks';
import { NODE_BYTE_VIEW } from '../cli/io/node-byte-view';
import { readLineChunks } from '../cli/io/read-chunks';
import { readLineBatches } from '../cli/io/read-lines';
import { KernelLogParser } from '../functions/core/kernel-log';

/** What the parser benches time, on one file: each reads it as the CLI does (`readFileChunks`, 1 MiB chunks). */

const REFERENCE_DATE = new Date('2026-11-25T23:59:59Z');
const read = (path: string) => readFileChunks(path);

/** The floor: read the file and split it into lines (the CLI's reader); the number of lines. */
export async function readAndSplit(path: string): Promise<number> {
  let lines = 0;
  for await (const batch of readLineBatches(read(path))) lines += batch.length;
  return lines;
}

/** Read and split as the floor does, then parse line by line (`pushLine`); the number of kills. */
export async function parseByLines(path: string): Promise<number> {
  const parser = new KernelLogParser({ referenceDate: REFERENCE_DATE });
  let kills = 0;
  for await (const batch of readLineBatches(read(path))) {
    for (const line of batch) kills += parser.pushLine(line).length;
  }
  return kills + parser.end().length;
}

/** Read the file as chunks of whole lines (`readLineChunks`) and parse each whole (`pushText`); the number of kills. */
export async function parseByChunks(path: string): Promise<number> {
  const parser = new KernelLogParser({ referenceDate: REFERENCE_DATE });
  let kills = 0;
  for await (const runs of readLineChunks(read(path))) {
    for (const run of runs) kills += parser.pushText(run.text).length;
  }
  return kills + parser.end().length;
}

/**
 * Feed the file to the parser as the CLI does (`feedParser`: runs of whole lines as bytes, `pushBytes`, while
 * every line is short); the number of kills.
 */
export async function parseByBytes(path: string): Promise<number> {
  const parser = new KernelLogParser({ referenceDate: REFERENCE_DATE, byteView: NODE_BYTE_VIEW });
  let kills = 0;
  await feedParser(read(path), parser, (done) => {
    kills += done.length;
  });
  return kills + parser.end().length;
}
