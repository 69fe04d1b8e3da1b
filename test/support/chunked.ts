import fc from 'fast-check';

/**
 * `text`'s UTF-8 bytes as a stream's chunks, cut at arbitrary places (inside characters too): few chunks, with
 * boundaries anywhere, long lines included. Some chunks are strings when they hold whole characters, as a
 * stream of decoded text would give.
 */
export function chunkedBytes(text: fc.Arbitrary<string>): fc.Arbitrary<(string | Buffer)[]> {
  return fc
    .record({
      text,
      // Cut points as fractions of the length, so that they fall in long lines as often as in short ones.
      cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 24 }),
      strings: fc.boolean(),
    })
    .map(({ text, cuts, strings }) => {
      const bytes = Buffer.from(text);
      const points = [...new Set(cuts.map((at) => Math.floor(at * bytes.length)))].sort((a, b) => a - b);
      const chunks: (string | Buffer)[] = [];
      for (const [i, end] of [...points, bytes.length].entries()) {
        const piece = bytes.subarray(points[i - 1] ?? 0, end);
        const whole = Buffer.from(piece.toString()).equals(piece);
        chunks.push(strings && i % 3 === 0 && whole ? piece.toString() : piece);
      }
      return chunks;
    });
}

/** A stream of one line, then NULs that never end: a reader must give up at its line limit, holding none of it. */
export async function* lineThatNeverEnds(): AsyncGenerator<string> {
  const megabyte = '\0'.repeat(1024 * 1024);
  yield 'a line\n';
  for (;;) yield megabyte;
}

/** Read `iterable` to its end, keeping nothing. */
export async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterable) {
    // drain
  }
}
