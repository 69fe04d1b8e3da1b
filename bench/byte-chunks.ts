/**
 * A byte stream as runs of whole lines, for `KernelLogParser.pushBytes`: each chunk cut after its last `\n` byte,
 * the rest carried to the next. The line that straddles two chunks is yielded on its own (the carry joined with
 * the head of the next chunk), so that the long run after it stays a view of the chunk read, not a copy. Like
 * `text-chunks.ts` it bounds no line: this measures the parser, not the reader.
 */
export async function* readByteChunks(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry: Buffer | null = null;
  for await (const chunk of stream) {
    const last = chunk.lastIndexOf(10) + 1;
    if (last === 0) {
      carry = carry ? Buffer.concat([carry, chunk]) : chunk;
      continue;
    }
    const first = carry ? chunk.indexOf(10) + 1 : 0;
    if (carry) yield Buffer.concat([carry, chunk.subarray(0, first)]);
    if (last > first) yield chunk.subarray(first, last);
    carry = last < chunk.length ? chunk.subarray(last) : null;
  }
  if (carry) yield carry;
}
