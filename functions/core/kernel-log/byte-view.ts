/**
 * `KernelLogParser.pushBytes` finds the lines to read on a one-byte view of a chunk of UTF-8 bytes (each byte
 * as one UTF-16 unit) rather than on its decoding, and decodes only the lines it reads. Making the view is a
 * copy (`Buffer#toString('latin1')`): over the bench's 200 MiB log viewed in 64 KiB pieces (`VIEW_BYTES` of
 * `parser.ts`), ~10 ms of CPU on Node 20 and 24, against 146 ms (Node 20) and 57 ms (Node 24, whose UTF-8
 * decoder is fast on mostly-ASCII text) to decode it with `Buffer#toString`, and about 150 and 100 ms through
 * the CLI's `StringDecoder` (shared machine, best of 3-4).
 *
 * Why the view finds the same lines. Let `b` be a line's bytes (no `\n`), `u` its UTF-8 decoding with U+FFFD for
 * invalid sequences, `v` its view, made by any map that keeps each byte below 128 as that unit and turns every
 * other byte into one unit above 127 (latin1 does; so does windows-1252, which WHATWG's `latin1` label means: it
 * sends 0x80-0x9F to units such as U+20AC and U+0081, all above 127).
 * 1. In UTF-8 a byte below 128 is always a character of its own, and no byte above 127 is part of one: a
 *    decoder turns each ASCII byte into that character (ending any incomplete sequence before it with U+FFFD)
 *    and each maximal run of bytes above 127 into at least one unit, all above 127 (a character from U+0080 up,
 *    a surrogate, or U+FFFD). So `u` and `v` both are the ASCII bytes of `b`, in order, with each run of other
 *    bytes between them replaced by a non-empty run of units above 127: the same ASCII runs, separated and
 *    bounded the same way, the runs between them of different lengths.
 * 2. The chunk scan (`nextCandidateLine`, `prefilter.ts`) matches within one line (it says why). Each
 *    alternative of its ANCHORED part consumes only ASCII units (literals, ` `, `\d`, `[:\]]`, `-?`) in its
 *    match and its lookbehinds, and asserts only the line's start: a match lies within one ASCII run of the
 *    line, and whether it is there depends only on that run and on whether it starts the line, which are the
 *    same in `u` and `v`. The clock alternative asks for `[` first on the line and then a letter or any unit
 *    above 127: by 1, the second unit of `u` is above 127 exactly when the second byte of `b` is, as in `v`.
 *    So the scan matches in `v` exactly when it does in `u`, and the line that `pushLine` of `u` would read is
 *    found at the same place; `\r` is ASCII, so a trailing CR is dropped alike.
 * 3. Offsets into the view are byte offsets: `\n` is one byte and one unit, and so is every line's end.
 * Decoding each line on its own gives what decoding the chunk gives: by 1, a decoder's state is empty after an
 * ASCII byte such as `\n`. `byte-view.property.test.ts` checks 1 to 3 on random bytes.
 */

/**
 * How `KernelLogParser.pushBytes` looks at a chunk of UTF-8 bytes. The core imports no Node module: on Node the
 * caller passes Node's own (`Buffer#toString('latin1')` and `isAscii` of `node:buffer`), which are much faster
 * than the default (`WEB_BYTE_VIEW`).
 */
export interface ByteView {
  /** The bytes as one UTF-16 unit each: ASCII bytes as they are, every other byte as a unit above 127. */
  view(bytes: Uint8Array): string;
  /**
   * True only when every byte is below 128: then the view is the decoding, and no line needs decoding. Most
   * chunks of a log are such (160 of the bench log's 201 MiB).
   */
  isAscii(bytes: Uint8Array): boolean;
}

/** WHATWG's `latin1` is windows-1252: one unit per byte, all above 127 for 0x80-0x9F too (see above). */
const WINDOWS_1252 = new TextDecoder('latin1');

/**
 * A `ByteView` of the web platform alone: windows-1252 (as slow as decoding UTF-8 on Node), and no chunk taken
 * for ASCII (which only costs the check of each line read, in `lineOfBytes`).
 */
export const WEB_BYTE_VIEW: ByteView = {
  view: (bytes) => WINDOWS_1252.decode(bytes),
  isAscii: () => false,
};

/**
 * Replacement characters for invalid sequences, as the CLI's reader (`StringDecoder`) gives them; `ignoreBOM`
 * keeps a byte-order mark at a line's start, which a decoding of the whole stream keeps there too.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * The line at `[start, end)` of a chunk, decoded from its UTF-8 `bytes`: the view's own slice when it is all
 * ASCII (then it is the decoding), which is most lines of a log and spares a call to the decoder.
 */
export function lineOfBytes(view: string, bytes: Uint8Array, start: number, end: number): string {
  const line = view.slice(start, end);
  return NON_ASCII.test(line) ? UTF8.decode(bytes.subarray(start, end)) : line;
}
