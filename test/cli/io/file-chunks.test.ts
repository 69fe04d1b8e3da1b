import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileChunks } from '../../../cli/io/file-chunks';

const dir = mkdtempSync(join(tmpdir(), 'file-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bytes that differ at every offset, so a chunk read twice, dropped or out of order shows. */
function bytesOf(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + (i >> 8)) & 255;
  return bytes;
}

async function chunksOf(path: string, chunkBytes: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of readFileChunks(path, chunkBytes)) chunks.push(Buffer.from(chunk));
  return chunks;
}

const openFds = (): number => readdirSync('/proc/self/fd').length;
const hasProcFds = existsSync('/proc/self/fd');

describe('readFileChunks', () => {
  it.each([0, 1, 6, 7, 8, 20, 21, 4096, 7_001])(
    'reads a file of %i bytes whole, in full chunks',
    async (size) => {
      const path = join(dir, `file-${size}`);
      const content = bytesOf(size);
      writeFileSync(path, content);
      const chunks = await chunksOf(path, 7);
      expect(Buffer.concat(chunks)).toEqual(content);
      expect(chunks.every((chunk) => chunk.length > 0)).toBe(true);
      // Every chunk but the last is full: a regular file reads whole chunks.
      expect(chunks.slice(0, -1).every((chunk) => chunk.length === 7)).toBe(true);
      expect(chunks.length).toBe(Math.ceil(size / 7));
    },
  );

  it.runIf(hasProcFds)('closes the file when the reader stops early, with a read in flight', async () => {
    const path = join(dir, 'early');
    writeFileSync(path, bytesOf(10_000));
    const before = openFds();
    let seen = 0;
    for await (const chunk of readFileChunks(path, 100)) {
      seen += chunk.length;
      if (seen >= 300) break;
    }
    expect(seen).toBe(300);
    expect(openFds()).toBe(before);
  });

  it.runIf(hasProcFds)('rejects with the read error (a directory), and closes the file', async () => {
    const before = openFds();
    await expect(chunksOf(dir, 100)).rejects.toMatchObject({ code: 'EISDIR' });
    expect(openFds()).toBe(before);
  });

  it.runIf(process.platform === 'linux')('reads a FIFO to its end, through short reads', async () => {
    const fifo = join(dir, 'fifo');
    const made = spawn('mkfifo', [fifo]);
    await once(made, 'close');
    // The writer sends three pieces with pauses: each read returns what the pipe holds, less than a chunk.
    const writer = spawn('sh', [
      '-c',
      `{ printf one; sleep 0.1; printf two; sleep 0.1; printf three; } > ${fifo}`,
    ]);
    // Listened for before reading: the writer may well exit before the last chunk is read.
    const written = once(writer, 'close');
    const chunks = await chunksOf(fifo, 1024);
    await written;
    expect(Buffer.concat(chunks).toString()).toBe('onetwothree');
    expect(chunks.length).toBeGreaterThan(1);
  });
});
