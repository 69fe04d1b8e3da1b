import { type LineTally, MAX_LINE_CHARS, MAX_LINE_RUN_CHARS } from './bounds';
import { ChunkDecoder } from './chunk-decoder';
import { cutLine, limitAt, longLineAt, newlinesIn, runaway } from './line-limits';

/** A run of whole lines of an input, as `readLineChunks` yields them. */
export interface LineRun {
  /** Whole lines: each ends with `\n`, except perhaps the input's last line in the last run. */
  readonly text: string;
  /** The number of the run's first line, counting from 1. */
  readonly firstLine: number;
}

/**
 * `readLineBatches` without splitting: for each chunk of the stream, the whole lines it ends, as runs of lines
 * (the line carried over from the chunk before, then the rest), with the same limits (`line-limits.ts`): a line
 * longer than its limit is cut to it, counted in `cuts` under the same number, and the rest skipped to the next
 * newline; a line past `MAX_LINE_RUN_CHARS` ends the reading with an `InputBoundError`. The rest of a chunk with
 * no line over `MAX_LINE_CHARS`, the common case, is one slice of the decoded text, neither copied nor split
 * (`longLineAt` proves it without looking at every line), for a consumer that scans text
 * (`KernelLogParser.pushText`) rather than lines. `firstLine` numbers the stream's first line, for a stream
 * that starts part way through an input (at a line's start).
 */
export async function* readLineChunks(
  stream: AsyncIterable<Buffer | string>,
  cuts?: LineTally,
  firstLine = 1,
): AsyncGenerator<LineRun[]> {
  const decoder = new ChunkDecoder();
  /** The start of line `next`, not ended yet. */
  let carry = '';
  let next = firstLine;
  /**
   * The limit of the carried line, kept rather than read off `carry`: reading a character of a string built by
   * appending flattens it, which for a long line arriving in small chunks would copy it once per chunk.
   */
  let carryLimit = MAX_LINE_CHARS;
  /** Length so far of a line that was cut and is being skipped to its end; -1 while not skipping. */
  let skipped = -1;
  for await (const chunk of stream) {
    const text = decoder.write(chunk);
    let start = 0;
    if (skipped >= 0) {
      const newline = text.indexOf('\n');
      if (newline < 0) {
        skipped += text.length;
        if (skipped > MAX_LINE_RUN_CHARS) throw runaway(next - 1);
        continue;
      }
      skipped = -1;
      start = newline + 1;
    }
    const runs: LineRun[] = [];
    const last = text.lastIndexOf('\n');
    if (last >= start) {
      let from = start;
      if (carry.length > 0) {
        // The carried line on its own: joined to the rest, it would make the whole chunk a string to copy.
        from = text.indexOf('\n', start) + 1;
        runs.push({ text: boundLines(carry + text.slice(start, from), next, cuts), firstLine: next++ });
      }
      if (from <= last) {
        const lines = boundLines(text.slice(from, last + 1), next, cuts);
        runs.push({ text: lines, firstLine: next });
        // Line numbers must stay right for the notes: this is the one look at every newline.
        next += newlinesIn(lines);
      }
      carry = text.slice(last + 1);
      carryLimit = limitAt(carry);
    } else {
      if (carry.length === 0) carryLimit = limitAt(text, start);
      carry += text.slice(start);
    }
    if (carry.length > carryLimit) {
      // The line is not over yet: keep its head, skip its tail as it arrives.
      runs.push({ text: `${cutLine(carry, next, cuts)}\n`, firstLine: next++ });
      skipped = carry.length;
      carry = '';
    }
    if (runs.length > 0) yield runs;
  }
  const rest = carry + decoder.end();
  if (skipped < 0 && rest.length > 0) yield [{ text: cutLine(rest, next, cuts), firstLine: next }];
}

/** `lines` (whole lines, the first numbered `firstLine`) with every line longer than its limit cut to it. */
function boundLines(lines: string, firstLine: number, cuts: LineTally | undefined): string {
  let long = longLineAt(lines, 0, MAX_LINE_CHARS);
  if (long < 0) return lines;
  const parts: string[] = [];
  let kept = 0;
  let lineNumber = firstLine;
  let counted = 0;
  while (long >= 0) {
    const end = lines.indexOf('\n', long);
    // Over MAX_LINE_CHARS, but a line of JSON may be within its own limit.
    if (end - long > limitAt(lines, long)) {
      lineNumber += newlinesIn(lines, counted, long);
      counted = long;
      parts.push(lines.slice(kept, long), cutLine(lines.slice(long, end), lineNumber, cuts));
      kept = end;
    }
    long = longLineAt(lines, end + 1, MAX_LINE_CHARS);
  }
  parts.push(lines.slice(kept));
  return parts.join('');
}
