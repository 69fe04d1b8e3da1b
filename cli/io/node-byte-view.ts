import { isAscii } from 'node:buffer';
import type { ByteView } from '../../functions/core/kernel-log';

/**
 * Node's `ByteView` for `KernelLogParser.pushBytes`: latin1 is a copy of the bytes into a one-byte string (a
 * fraction of the cost of decoding UTF-8: `byte-view.ts` has figures), and `isAscii` a vectorized check that
 * costs next to nothing.
 */
export const NODE_BYTE_VIEW: ByteView = {
  view: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'),
  isAscii: (bytes) => isAscii(bytes),
};
