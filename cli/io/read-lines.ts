import { StringDecoder } from 'node:string_decoder';

/**
 * Split a byte stream into lines without loading it whole: decode chunk by chunk (UTF-8 sequences may straddle
 * chunks) and cut at `\n`. Yields batches of lines per chunk, which keeps per-line overhead low on large logs.
 * A trailing `\r` is left for the consumer (the parser drops it).
 */
export async function* readLineBatches(stream: AsyncIterable<Buffer | string>): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of stream) {
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const lines: string[] = [];
    let start = 0;
    let newline = text.indexOf('\n', start);
    while (newline >= 0) {
      lines.push(text.slice(start, newline));
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    carry = text.slice(start);
    if (lines.length > 0) yield lines;
  }
  const rest = carry + decoder.end();
  if (rest.length > 0) yield [rest];
}
