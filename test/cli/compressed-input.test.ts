import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { KERNEL_CORPUS } from '../support/corpus';
import { runCli, runMain } from '../support/run-cli';

/** `.gz` logs (logrotate's kern.log.2.gz) were parsed as text and reported as "No OOM kills found". */
const LOG = `${KERNEL_CORPUS}transports/captured-6.18-dmesg-T-ru.log`;
const TEXT = readFileSync(LOG);
/** The kernel's own victims, `Killed process PID (comm)`, in order: what every reading must find. */
const VICTIMS = [...TEXT.toString('utf8').matchAll(/Killed process (\d+) \((.+?)\)/g)].map((m) => [
  Number(m[1]),
  m[2],
]);

const temp = mkdtempSync(join(tmpdir(), 'oomr-gz-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const file = (name: string, bytes: Buffer): string => {
  const path = join(temp, name);
  writeFileSync(path, bytes);
  return path;
};
const victimsOf = (stdout: string): unknown[] =>
  stdout
    .trimEnd()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const kill = JSON.parse(line) as { pid: number; process: string };
      return [kill.pid, kill.process];
    });

describe('compressed kernel logs', () => {
  it('the sample holds kills to find', () => {
    expect(VICTIMS.length).toBeGreaterThan(1);
  });

  it('parse reads a .gz file as the text it holds, detected by its bytes whatever its name', async () => {
    const gz = gzipSync(TEXT);
    for (const name of ['kern.log.2.gz', 'kern.log.2']) {
      const result = await runMain(['parse', file(name, gz)]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(victimsOf(result.stdout)).toEqual(VICTIMS);
    }
  });

  it('parse reads gzip on stdin, and concatenated gzip members as one log (zcat does)', async () => {
    const half = TEXT.indexOf('\n', TEXT.length >> 1) + 1;
    const twoMembers = Buffer.concat([gzipSync(TEXT.subarray(0, half)), gzipSync(TEXT.subarray(half))]);
    const result = await runCli(['parse', '-'], { stdin: twoMembers });
    expect(result.stderr).toBe('');
    expect(victimsOf(result.stdout)).toEqual(VICTIMS);
  });

  it('preview and replay read it too', async () => {
    const path = file('preview.log.gz', gzipSync(TEXT));
    const preview = await runMain(['preview', '--text', path]);
    expect(preview.code, preview.stderr).toBe(0);
    for (const [pid] of VICTIMS) expect(preview.stdout).toContain(`pid ${pid}`);
    const replay = await runMain(['replay', path]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stderr).toMatch(new RegExp(`detect +${VICTIMS.length} kills in 1 incident`));
  });

  it('a cut-off .gz is an error with exit status 2, not a log without kills', async () => {
    const gz = gzipSync(TEXT);
    const path = file('cut.log.gz', gz.subarray(0, gz.length >> 1));
    for (const command of ['parse', 'preview', 'replay']) {
      const result = await runMain([command, path]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `oom-responder ${command}: cannot read ${path}: the gzip data is cut off before its end (unexpected end of file): the file is truncated\n`,
      );
      expect(result.stdout).not.toContain('No OOM kills found');
    }
  });

  it('corrupt gzip data is an error with exit status 2', async () => {
    const gz = Buffer.from(gzipSync(TEXT));
    // Past the 10-byte header: the deflate data itself is damaged.
    gz.fill(0xff, 10, 40);
    const path = file('corrupt.log.gz', gz);
    const result = await runMain(['parse', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^oom-responder parse: cannot read .*corrupt\.log\.gz: the gzip data is corrupt \(.+\)\n$/,
    );
  });

  it('xz, zstd and bzip2 are refused with the command that reads them', async () => {
    const heads: [string, number[]][] = [
      ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
      ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
      ['bzip2', [0x42, 0x5a, 0x68, 0x39]],
    ];
    for (const [name, magic] of heads) {
      const path = file(`kern.log.${name}`, Buffer.concat([Buffer.from(magic), Buffer.alloc(64, 1)]));
      const result = await runMain(['parse', path]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `cannot read ${path}: it is ${name}-compressed, which is not read: decompress it first (${name} -dc FILE | oom-responder ...)`,
      );
    }
  });

  it('the line bounds hold for the decompressed text: 70 MiB of NUL bytes in a 70 KiB .gz stops at 64 MiB', async () => {
    const path = file('zero.gz', gzipSync(Buffer.alloc(70 * 1024 * 1024), { level: 1 }));
    const result = await runMain(['parse', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `oom-responder parse: cannot read ${path}: line 1 runs past 64 MiB without a newline: this is not a text log\n`,
    );
  });

  it('a one-byte text input is still text', async () => {
    const result = await runMain(['parse', file('one-byte.log', Buffer.from('\x1f'))]);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
