import { InputBoundError, MAX_LINE_CHARS, MAX_LINE_RUN_CHARS, mib } from './bounds';

/** A run of whole lines of a byte stream, for `KernelLogParser.pushBytes`. */
export interface ByteChunk {
  /** Whole lines, each ending with a `\n` byte, except perhaps the stream's last. */
  readonly bytes: Buffer;
  /**
   * True when no line of `bytes` is longer than the limit (`MAX_LINE_CHARS`) in bytes: then none needs the cut
   * `readLineBatches` makes, since a line decoded is never longer in UTF-16 units than in UTF-8 bytes. False
   * says only that some line may need it.
   */
  readonly withinLineLimit: boolean;
}

/**
 * Cut a byte stream into runs of whole lines without decoding it: each chunk after its last `\n` byte, the rest
 * carried to the next. The line that straddles two chunks is yielded on its own (the carry and the head of the
 * next chunk joined), so that the long run after it stays a view of the chunk read rather than a copy. A line
 * that runs past `MAX_LINE_RUN_CHARS` bytes without a newline ends the reading with an `InputBoundError`, as in
 * `readLineBatches`; unlike it, nothing is cut here: `withinLineLimit` says when nothing needs to be.
 *
 * `maxLineBytes` is the limit `withinLineLimit` checks (`MAX_LINE_CHARS` unless a test needs a small one).
 */
export async function* readByteChunks(
  stream: AsyncIterable<Buffer>,
  maxLineBytes = MAX_LINE_CHARS,
): AsyncGenerator<ByteChunk> {
  /** The pieces of the unfinished line, joined once it ends (joining at each chunk would be quadratic). */
  let carry: Buffer[] = [];
  let carried = 0;
  for await (const chunk of stream) {
    const last = chunk.lastIndexOf(10) + 1;
    if (last === 0) {
      carry.push(chunk);
      carried += chunk.length;
      if (carried > MAX_LINE_RUN_CHARS) throw runaway();
      continue;
    }
    let first = 0;
    if (carried > 0) {
      first = chunk.indexOf(10) + 1;
      carry.push(chunk.subarray(0, first));
      yield whole(Buffer.concat(carry, carried + first), maxLineBytes);
    }
    if (last > first) yield whole(chunk.subarray(first, last), maxLineBytes);
    carry = last < chunk.length ? [chunk.subarray(last)] : [];
    carried = chunk.length - last;
  }
  if (carried > 0) yield whole(Buffer.concat(carry, carried), maxLineBytes);
}

function whole(bytes: Buffer, maxLineBytes: number): ByteChunk {
  return { bytes, withinLineLimit: longestLine(bytes, maxLineBytes) <= maxLineBytes };
}

/**
 * The length in bytes of the longest line of `bytes` (its `\n` not counted), or any length up to `limit` when
 * that is all `bytes` hold: a chunk no longer than the limit (the common case, read in 1 MiB pieces) needs no
 * search for its newlines.
 */
function longestLine(bytes: Buffer, limit: number): number {
  if (bytes.length <= limit) return bytes.length;
  let longest = 0;
  let start = 0;
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, start)) {
    longest = Math.max(longest, at - start);
    start = at + 1;
  }
  return Math.max(longest, bytes.length - start);
}

function runaway(): InputBoundError {
  return new InputBoundError(
    `a line runs past ${mib(MAX_LINE_RUN_CHARS)} without a newline: this is not a text log`,
  );
}
