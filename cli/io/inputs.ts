import { open } from 'node:fs/promises';
import { UsageError } from '../usage-error';
import { decompressed } from './decompress';
import { readFileChunks } from './file-chunks';

export interface Input {
  name: string;
  /** The input's text bytes, decompressed when it is gzip (see decompress.ts). */
  stream: () => AsyncIterable<Buffer | string>;
  /** Stdin, and a terminal: the user may not know the command is waiting for them to type or paste a log. */
  terminal: boolean;
}

/** Where stdin comes from: the process's own, or a test's. */
export interface StdinSource extends AsyncIterable<Buffer | string> {
  isTTY?: boolean;
}

/** Said on stderr when a command reads a terminal, so a command run without FILE does not seem to hang. */
export const TERMINAL_STDIN_NOTICE = 'reading kernel log from stdin (Ctrl-D to end; see --help)';

/**
 * Resolve the command's FILE arguments (`-` or none means stdin). Every file is checked before any is read,
 * so a typo in the last argument fails fast instead of after minutes of parsing the first.
 */
export async function resolveInputs(
  paths: readonly string[],
  stdin: StdinSource = process.stdin,
): Promise<Input[]> {
  const fromStdin: Input = {
    name: 'stdin',
    stream: () => decompressed(stdin),
    terminal: stdin.isTTY === true,
  };
  if (paths.length === 0) return [fromStdin];
  const inputs: Input[] = [];
  for (const path of paths) {
    if (path === '-') {
      inputs.push(fromStdin);
      continue;
    }
    try {
      const handle = await open(path, 'r');
      const stat = await handle.stat();
      await handle.close();
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    } catch (error) {
      throw new UsageError(`cannot read ${path}: ${fileErrorReason(error)}`, { cause: error });
    }
    inputs.push({
      name: path,
      stream: () => decompressed(readFileChunks(path)),
      terminal: false,
    });
  }
  return inputs;
}

/** Why a file could not be opened, in the words `ls` and `cat` use rather than an errno dump. */
export function fileErrorReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code === 'ENOENT'
    ? 'no such file'
    : code === 'EACCES'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'is a directory'
        : (error as Error).message;
}

/** The notice for a command whose inputs include a terminal, or null. */
export function terminalNotice(inputs: readonly Input[], command: string): string | null {
  return inputs.some((input) => input.terminal) ? `${command}: ${TERMINAL_STDIN_NOTICE}\n` : null;
}
