import { StringDecoder } from 'node:string_decoder';

/**
 * A byte stream as runs of whole lines, for `KernelLogParser.pushText`: each chunk decoded (a UTF-8 sequence may
 * straddle two) and cut after its last `\n`, the rest carried to the next. The line that straddles two chunks is
 * yielded on its own, so that the long run after it stays a slice of the decoded text: prefixed with the carry
 * it would be a concatenation, which V8 copies whole before its first search. Unlike the CLI's reader it bounds
 * no line: the bench's log has none too long, and this measures the parser, not the reader.
 */
export async function* readTextChunks(stream: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const last = text.lastIndexOf('\n') + 1;
    if (last === 0) {
      carry += text;
      continue;
    }
    const first = carry.length > 0 ? text.indexOf('\n') + 1 : 0;
    if (first > 0) yield carry + text.slice(0, first);
    if (last > first) yield text.slice(first, last);
    carry = text.slice(last);
  }
  const rest = carry + decoder.end();
  if (rest.length > 0) yield rest;
}
