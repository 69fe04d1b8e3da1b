import { type LineTally, MAX_LINE_CHARS, MAX_LINE_RUN_CHARS } from './bounds';
import { ChunkDecoder } from './chunk-decoder';
import { cutLine, limitAt, runaway } from './line-limits';

/**
 * Split a byte stream into lines without loading it whole: decode chunk by chunk (UTF-8 sequences may straddle
 * chunks) and cut at `\n`. Yields batches of lines per chunk, which keeps per-line overhead low on large logs.
 * A trailing `\r` is left for the consumer (the parser drops it).
 *
 * No line is held past its limit (`MAX_LINE_CHARS`, or `MAX_JSON_VALUE_CHARS` for a line starting with `{`):
 * a longer line is cut to it, counted in `cuts`, and the rest skipped to the next newline without being kept. A
 * line that runs past `MAX_LINE_RUN_CHARS` ends the reading with an `InputBoundError`.
 */
export async function* readLineBatches(
  stream: AsyncIterable<Buffer | string>,
  cuts?: LineTally,
): AsyncGenerator<string[]> {
  const decoder = new ChunkDecoder();
  let carry = '';
  /**
   * The limit of the carried line, kept rather than read off `carry`: reading a character of a string built by
   * appending flattens it, which for a long line arriving in small chunks would copy it once per chunk.
   */
  let carryLimit = MAX_LINE_CHARS;
  /** Length so far of a line that was cut and is being skipped to its end; -1 while not skipping. */
  let skipped = -1;
  let lineNumber = 0;
  for await (const chunk of stream) {
    const text = decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    if (skipped >= 0) {
      const newline = text.indexOf('\n');
      if (newline < 0) {
        skipped += text.length;
        if (skipped > MAX_LINE_RUN_CHARS) throw runaway(lineNumber + 1);
        continue;
      }
      skipped = -1;
      lineNumber++;
      start = newline + 1;
    }
    let newline = text.indexOf('\n', start);
    while (newline >= 0) {
      let line = text.slice(start, newline);
      if (carry.length > 0) {
        line = carry + line;
        carry = '';
      }
      lineNumber++;
      if (line.length > MAX_LINE_CHARS) line = cutLine(line, lineNumber, cuts);
      lines.push(line);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start < text.length) {
      if (carry.length === 0) carryLimit = limitAt(text, start);
      const rest = carry + text.slice(start);
      if (rest.length > carryLimit) {
        // The line is not over yet: keep its head, skip its tail as it arrives.
        lines.push(cutLine(rest, lineNumber + 1, cuts));
        skipped = rest.length;
        carry = '';
      } else carry = rest;
    }
    if (lines.length > 0) yield lines;
  }
  const rest = carry + decoder.end();
  if (skipped < 0 && rest.length > 0)
    yield [rest.length > limitAt(rest) ? cutLine(rest, lineNumber + 1, cuts) : rest];
}
