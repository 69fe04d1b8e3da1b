import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { UsageError } from '../usage-error';

export interface Input {
  name: string;
  stream: () => AsyncIterable<Buffer | string>;
}

/**
 * Resolve the command's FILE arguments (`-` or none means stdin). Every file is checked before any is read,
 * so a typo in the last argument fails fast instead of after minutes of parsing the first.
 */
export async function resolveInputs(paths: readonly string[]): Promise<Input[]> {
  if (paths.length === 0) return [{ name: 'stdin', stream: () => process.stdin }];
  const inputs: Input[] = [];
  for (const path of paths) {
    if (path === '-') {
      inputs.push({ name: 'stdin', stream: () => process.stdin });
      continue;
    }
    try {
      const handle = await open(path, 'r');
      const stat = await handle.stat();
      await handle.close();
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    } catch (error) {
      const code = (error as { code?: string }).code;
      const reason =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'EISDIR'
              ? 'is a directory'
              : (error as Error).message;
      throw new UsageError(`cannot read ${path}: ${reason}`, { cause: error });
    }
    inputs.push({ name: path, stream: () => createReadStream(path, { highWaterMark: 1024 * 1024 }) });
  }
  return inputs;
}
