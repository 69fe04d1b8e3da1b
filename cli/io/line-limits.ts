import {
  InputBoundError,
  type LineTally,
  MAX_JSON_VALUE_CHARS,
  MAX_LINE_CHARS,
  MAX_LINE_RUN_CHARS,
  mib,
} from './bounds';

/**
 * The line limits of `bounds.ts` as the line readers apply them: `readLineBatches` to each line it splits off,
 * `readLineChunks` to the lines of a chunk it does not split. One copy, so that both cut the same lines alike.
 */

/** The limit of the line starting at `start` of `text`: a line of JSON (a whole document on one line) may be longer. */
export function limitAt(text: string, start = 0): number {
  return text.charCodeAt(start) === 123 /* { */ ? MAX_JSON_VALUE_CHARS : MAX_LINE_CHARS;
}

/** `line` cut to its limit, counted in `cuts` as line `lineNumber` when it was longer. */
export function cutLine(line: string, lineNumber: number, cuts: LineTally | undefined): string {
  const limit = limitAt(line);
  if (line.length <= limit) return line;
  cuts?.add(lineNumber);
  return line.slice(0, limit);
}

/** The error for line `lineNumber`, which ran past `MAX_LINE_RUN_CHARS` without a newline. */
export function runaway(lineNumber: number): InputBoundError {
  return new InputBoundError(
    `line ${lineNumber} runs past ${mib(MAX_LINE_RUN_CHARS)} without a newline: this is not a text log`,
  );
}

/**
 * The start of the first line of `text` at or after `from` (a line start) longer than `limit`, or -1. It jumps
 * from line start to line start by up to `limit + 1` characters (the last newline within reach), so proving a
 * chunk of short lines has none costs a few backward scans rather than a look at every newline: counting the
 * newlines of a 200 MiB log costs about as much as splitting it, this about nothing. `text` may be the bytes of
 * whole lines, whose lengths it then measures in bytes.
 */
export function longLineAt(text: string | Buffer, from: number, limit: number): number {
  let start = from;
  while (text.length - start > limit) {
    const newline = text.lastIndexOf('\n', start + limit);
    if (newline < start) return start;
    start = newline + 1;
  }
  return -1;
}

/** How many newlines `text` holds in [from, to). */
export function newlinesIn(text: string, from = 0, to = text.length): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
