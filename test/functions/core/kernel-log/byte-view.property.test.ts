import { StringDecoder } from 'node:string_decoder';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NODE_BYTE_VIEW } from '../../../../cli/io/node-byte-view';
import { lineOfBytes, WEB_BYTE_VIEW } from '../../../../functions/core/kernel-log/byte-view';
import { nextCandidateLine } from '../../../../functions/core/kernel-log/prefilter';
import { PREFILTER_PIECES } from '../../../support/log-runs';

/**
 * `pushBytes` scans a one-byte view of UTF-8 bytes and decodes only the lines it reads (`byte-view.ts`): the
 * scan must find the same lines in the view as in the decoding, and each line decoded on its own must be what
 * the CLI's reader (`StringDecoder` over the stream) gives for it, replacement characters included.
 */

const latin1View = NODE_BYTE_VIEW.view;
const VIEWS = { latin1: latin1View, 'windows-1252': WEB_BYTE_VIEW.view };

const utf8 = (text: string): number[] => [...Buffer.from(text, 'utf8')];

/** Pieces of bytes: the prefilter's phrases, and UTF-8 both valid and not, put next to them in any order. */
const PIECES: number[][] = [
  ...[...PREFILTER_PIECES, '\u00e9', '\u20ac', '\u{1f600}', '\ufeff'].map(utf8),
  // Lone continuation bytes, C1-range bytes (windows-1252 maps some to letters), lead bytes without their
  // continuation, overlong and surrogate encodings, bytes never valid in UTF-8, a truncated 4-byte sequence.
  [0x80],
  [0x85],
  [0x9f],
  [0x81, 0x8d],
  [0xc2],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5],
  [0xfe, 0xff],
];
const bytesArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(fc.constantFrom(...PIECES), { maxLength: 40 })
      .map((pieces) => Uint8Array.from(pieces.flat())),
  },
  fc.uint8Array({ maxLength: 200 }),
  fc
    .array(fc.constantFrom(0x0a, 0x0d, 0x5b, 0x20, 0x6f, 0x6d, 0x80, 0x9f, 0xc3, 0xe2, 0xf0, 0xff), {
      maxLength: 100,
    })
    .map((bytes) => Uint8Array.from(bytes)),
);

/** What the CLI's reader decodes: the stream through one `StringDecoder`, cut into chunks anywhere. */
function streamDecoded(bytes: Uint8Array, cuts: readonly number[]): string {
  const decoder = new StringDecoder('utf8');
  const at = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  let text = '';
  let start = 0;
  for (const cut of [...at, bytes.length]) {
    text += decoder.write(Buffer.from(bytes.subarray(start, cut)));
    start = cut;
  }
  return text + decoder.end();
}

/** Where each line of `text` starts (lines end with `\n`; the last may not). */
function lineStarts(text: string): number[] {
  const starts: number[] = [];
  for (let at = 0; at < text.length; at = text.indexOf('\n', at) + 1 || text.length) starts.push(at);
  return starts;
}

describe('the one-byte view of UTF-8 bytes', () => {
  it('is taken for ASCII by Node exactly when every byte is below 128', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        expect(NODE_BYTE_VIEW.isAscii(bytes)).toBe(bytes.every((byte) => byte < 128));
        expect(WEB_BYTE_VIEW.isAscii(bytes)).toBe(false);
      }),
    );
  });

  it('has one unit per byte, ASCII bytes as they are and every other byte above 127', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const view of Object.values(VIEWS)) {
      const text = view(all);
      expect(text.length).toBe(256);
      for (let i = 0; i < 256; i++) {
        const unit = text.charCodeAt(i);
        if (i < 128) expect(unit).toBe(i);
        else expect(unit).toBeGreaterThan(127);
      }
    }
  });

  it('finds, from every line start, the same next line to read as the scan of the decoded text', () => {
    let found = 0;
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        const decoded = streamDecoded(bytes, []);
        const textStarts = lineStarts(decoded);
        const lineIndex = (starts: number[], at: number) => (at < 0 ? -1 : starts.indexOf(at));
        for (const view of Object.values(VIEWS)) {
          const text = view(bytes);
          const byteStarts = lineStarts(text);
          expect(byteStarts.length).toBe(textStarts.length);
          for (let i = 0; i < byteStarts.length; i++) {
            const expected = lineIndex(textStarts, nextCandidateLine(decoded, textStarts[i] ?? 0));
            expect(lineIndex(byteStarts, nextCandidateLine(text, byteStarts[i] ?? 0))).toBe(expected);
            if (expected >= 0) found++;
          }
        }
      }),
      { numRuns: 20_000 },
    );
    expect(found).toBeGreaterThan(10_000);
  });

  it('decodes each line to what the stream decoder gives for it, replacement characters included', () => {
    let replaced = 0;
    fc.assert(
      fc.property(bytesArb, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const expected = streamDecoded(bytes, cuts);
        const text = latin1View(bytes);
        const lines = lineStarts(text).map((start) => {
          const end = text.indexOf('\n', start);
          return lineOfBytes(text, bytes, start, end < 0 ? text.length : end);
        });
        const joined = lines.join('\n') + (text.endsWith('\n') ? '\n' : '');
        expect(joined).toBe(expected);
        replaced += expected.split('\ufffd').length - 1;
      }),
      { numRuns: 20_000 },
    );
    expect(replaced).toBeGreaterThan(10_000);
  });
});
