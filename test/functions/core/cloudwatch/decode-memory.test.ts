import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./decode-memory.probe.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'decode-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Measured {
  outcome: string;
  peakGrowthMiB: number;
  heapHeldMiB: number;
}

/** Decode `json` (gzipped, base64) in a fresh Node process and measure its peak memory growth. */
function measure(name: string, gzipped: Buffer, mode: 'bounded' | 'parse'): Measured {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ awslogs: { data: gzipped.toString('base64') } }));
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', PROBE, file, mode], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const measured = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Measured;
  console.log(
    `decode memory: ${name} (${gzipped.length} bytes gzipped), ${mode}: ${measured.outcome}; peak RSS growth ` +
      `${measured.peakGrowthMiB.toFixed(1)} MiB${mode === 'parse' ? `, heap held by the parse ${measured.heapHeldMiB.toFixed(1)} MiB` : ''}`,
  );
  return measured;
}

// Budget for a refused payload: the 10 MiB inflated buffer itself and zlib's working memory, nothing per level.
const BOUND_MIB = 48;

describe('decoding in bounded memory (each measured in a process of its own)', () => {
  it('refuses 10 MiB of nested arrays with little memory, where parsing them takes hundreds of MiB', () => {
    const depth = (10 * 1024 * 1024 - 64) / 2;
    const nested = gzipSync(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    const parsed = measure('nested-arrays', nested, 'parse');
    const bounded = measure('nested-arrays', nested, 'bounded');
    // The payload is a real threat: parsed, it holds far more than the bound (290 MB on Node 20 when measured).
    expect(parsed.heapHeldMiB).toBeGreaterThan(4 * BOUND_MIB);
    expect(bounded.outcome).toBe('MalformedPayloadError: too-large');
    expect(bounded.peakGrowthMiB).toBeLessThan(BOUND_MIB);
  }, 60_000);

  it('refuses 10 MiB of empty objects in a batch with little memory', () => {
    const objects = gzipSync(`{"messageType":"DATA_MESSAGE","logEvents":[${'{},'.repeat(3_400_000)}{}]}`);
    const parsed = measure('empty-objects', objects, 'parse');
    const bounded = measure('empty-objects', objects, 'bounded');
    expect(parsed.heapHeldMiB).toBeGreaterThan(2 * BOUND_MIB);
    expect(bounded.outcome).toBe('MalformedPayloadError: too-large');
    expect(bounded.peakGrowthMiB).toBeLessThan(BOUND_MIB);
  }, 60_000);

  it('stops a gzip bomb at the bound: 256 MiB of spaces in 256 KB, refused after inflating 10 MiB', () => {
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024, 32), { level: 9 });
    expect(bomb.length).toBeLessThan(300_000);
    const bounded = measure('gzip-bomb', bomb, 'bounded');
    expect(bounded.outcome).toBe('MalformedPayloadError: too-large');
    expect(bounded.peakGrowthMiB).toBeLessThan(BOUND_MIB);
  }, 60_000);
});
