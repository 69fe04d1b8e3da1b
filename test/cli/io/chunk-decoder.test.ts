import { StringDecoder } from 'node:string_decoder';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkDecoder } from '../../../cli/io/chunk-decoder';

/** Bytes cut into chunks at arbitrary places: ASCII runs, whole characters, and bytes that are no UTF-8. */
const chunks = fc.array(
  fc.oneof(
    fc.string({ unit: fc.constantFrom('a', '\n', ' ', '~') }).map((text) => Buffer.from(text)),
    fc.string({ unit: 'grapheme' }).map((text) => Buffer.from(text)),
    fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
  ),
  { maxLength: 12 },
);

/** Chunks recut at other places, so that characters straddle chunk boundaries. */
function recut(parts: Buffer[], sizes: number[]): Buffer[] {
  const whole = Buffer.concat(parts);
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < whole.length; i++) {
    const size = sizes.length > 0 ? (sizes[i % sizes.length] ?? 1) : whole.length;
    out.push(whole.subarray(at, at + size));
    at += size;
  }
  return out;
}

function decodeAll(decoder: { write(chunk: Buffer): string; end(): string }, parts: Buffer[]): string[] {
  return [...parts.map((part) => decoder.write(part)), decoder.end()];
}

describe('ChunkDecoder', () => {
  it('decodes every chunk to what StringDecoder gives for it, however characters straddle chunks', () => {
    fc.assert(
      fc.property(chunks, fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 6 }), (parts, sizes) => {
        const cut = recut(parts, sizes);
        expect(decodeAll(new ChunkDecoder(), cut)).toEqual(decodeAll(new StringDecoder('utf8'), cut));
      }),
      { numRuns: 2000 },
    );
  });

  it('finishes a character cut by a chunk of ASCII before that chunk, as StringDecoder does', () => {
    const euro = Buffer.from('€');
    const parts = [euro.subarray(0, 2), Buffer.from('abc'), Buffer.from('def')];
    expect(decodeAll(new ChunkDecoder(), parts)).toEqual(decodeAll(new StringDecoder('utf8'), parts));
  });
});
