import { PassThrough, pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * Kernel logs are often kept compressed (logrotate's `kern.log.2.gz`). An input is recognised by its first bytes,
 * not its name, so a `.gz` saved under another name, or piped in on stdin, is read too: gzip is decompressed as
 * it streams (the line bounds then apply to the decompressed text), other compressors are refused with the
 * command that reads them, never parsed as text (which would find no kill and say so).
 */

const GZIP_MAGIC = [0x1f, 0x8b];

/** Formats recognised only to be refused: their magic bytes, and the tool that decompresses them. */
const REFUSED: readonly { name: string; magic: readonly number[]; tool: string }[] = [
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], tool: 'xz -dc' },
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd], tool: 'zstd -dc' },
  { name: 'bzip2', magic: [0x42, 0x5a, 0x68], tool: 'bzip2 -dc' },
];

/** The longest magic number looked at. */
const HEAD_BYTES = 6;

/** The input could not be decompressed (cut off, corrupt) or is compressed in a format not read. */
export class CompressedInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompressedInputError';
  }
}

/**
 * The input's text bytes: `source` itself, or its gzip stream decompressed. Throws `CompressedInputError` for
 * gzip data that is cut off or corrupt and for the refused formats.
 */
export async function* decompressed(source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer | string> {
  const iterator = source[Symbol.asyncIterator]();
  const head: (Buffer | string)[] = [];
  let bytes = 0;
  while (bytes < HEAD_BYTES) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    // A string stream is text already (a test's, or an encoding set on stdin): nothing to detect.
    if (typeof next.value === 'string') return yield* rest(head, iterator);
    bytes += next.value.length;
  }
  const start = Buffer.concat(head as Buffer[], bytes);
  if (startsWith(start, GZIP_MAGIC)) return yield* gunzipped(rest(head, iterator));
  const refused = REFUSED.find((format) => startsWith(start, format.magic));
  if (refused) {
    throw new CompressedInputError(
      `it is ${refused.name}-compressed, which is not read: decompress it first (${refused.tool} FILE | oom-responder ...)`,
    );
  }
  yield* rest(head, iterator);
}

function startsWith(bytes: Buffer, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

async function* rest(
  head: (Buffer | string)[],
  iterator: AsyncIterator<Buffer | string>,
): AsyncGenerator<Buffer | string> {
  yield* head;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield next.value;
  }
}

/** Decompress as the chunks arrive: memory holds zlib's window and one chunk, never the file. */
async function* gunzipped(source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const out = new PassThrough();
  // pipeline destroys every stream with the first error, so iterating `out` throws zlib's error itself.
  pipeline(Readable.from(source), createGunzip(), out, () => {});
  try {
    for await (const chunk of out) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof CompressedInputError || !isZlibError(error)) throw error;
    throw new CompressedInputError(gzipProblem(error as Error));
  }
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** zlib's error, said for a person: a cut-off file is the common case (a log copied while it was written). */
function gzipProblem(error: Error): string {
  const code = (error as { code?: string }).code;
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/.test(error.message)) {
    return 'the gzip data is cut off before its end (unexpected end of file): the file is truncated';
  }
  if (code === 'Z_DATA_ERROR') return `the gzip data is corrupt (${error.message})`;
  return `the gzip data could not be decompressed (${error.message})`;
}
