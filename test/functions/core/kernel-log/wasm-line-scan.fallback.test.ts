import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NODE_BYTE_VIEW } from '../../../../cli/io/node-byte-view';
import type { Kill } from '../../../../functions/core/kernel-log';
import { CORPUS_REFERENCE_DATE, corpusSamples } from '../../../support/corpus';
import { corpusFiles, NOISE } from '../../../support/log-runs';

/**
 * Where the standard `WebAssembly` global, its SIMD or run-time compiling is missing, `pushBytes` finds its lines
 * with the regular expression (`wasm-line-scan.ts` gives null): each case loads the parser afresh under a stubbed
 * global and must give the kills the WebAssembly scan gives. And where the module's memory cannot grow to hold a
 * chunk (`WasmLineScan.load` false: a chunk of gigabytes), that chunk alone is scanned with the regular expression:
 * the stubbed global there is the real one with a memory that refuses to grow past a few pages, the seam needing no
 * hook in the code.
 */

/** Every corpus file with noise between, as one log's bytes, fed in chunks of whole lines. */
const LOG = Buffer.from(
  corpusFiles.flatMap((file, i) => [...file.lines, ...NOISE.slice(0, 1 + (i % NOISE.length))]).join('\n'),
  'utf8',
);

/** The parser's and the scan's modules as loaded now (after `vi.resetModules`, under the current globals). */
async function freshModules() {
  vi.resetModules();
  const scan = await import('../../../../functions/core/kernel-log/wasm-line-scan');
  const kernelLog = await import('../../../../functions/core/kernel-log');
  return { scan, kernelLog };
}

async function killsWithScan(): Promise<{ scanning: boolean; kills: Kill[] }> {
  const { scan, kernelLog } = await freshModules();
  const parser = new kernelLog.KernelLogParser({
    referenceDate: CORPUS_REFERENCE_DATE,
    byteView: NODE_BYTE_VIEW,
  });
  const kills: Kill[] = [];
  for (let from = 0; from < LOG.length; ) {
    const to = LOG.indexOf(10, from + 4096) + 1 || LOG.length;
    kills.push(...parser.pushBytes(LOG.subarray(from, to)));
    from = to;
  }
  kills.push(...parser.end());
  return { scanning: scan.wasmLineScan() !== null, kills };
}

/** The real global, typed for what the stubs take from it (the project's `lib` has no DOM types). */
const realWebAssembly = (
  globalThis as unknown as { WebAssembly: Record<'validate' | 'Module' | 'Instance', unknown> }
).WebAssembly;

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe('pushBytes without the WebAssembly scan', () => {
  it.each([
    ['there is no WebAssembly global', undefined],
    [
      'WebAssembly has no SIMD (the module does not validate)',
      { validate: () => false, Module: realWebAssembly.Module, Instance: realWebAssembly.Instance },
    ],
    [
      'compiling at run time is forbidden',
      {
        validate: realWebAssembly.validate,
        Module: class {
          constructor() {
            throw new Error('CompileError: refused by content security policy');
          }
        },
        Instance: realWebAssembly.Instance,
      },
    ],
  ])('uses the regular expression when %s, and finds the same kills', async (_, stub) => {
    const withWasm = await killsWithScan();
    expect(withWasm.scanning).toBe(true);
    vi.stubGlobal('WebAssembly', stub);
    const without = await killsWithScan();
    expect(without.scanning).toBe(false);
    expect(without.kills.length).toBeGreaterThan(100);
    expect(without.kills).toEqual(withWasm.kills);
  });
});

/** What the stub below saw: the module's scans run, and its memory's grows refused. */
interface ScanUse {
  scans: number;
  refusals: number;
}

/**
 * The real `WebAssembly` global, but every instance's memory refuses to grow past `maxPages` of 64 KiB (throwing
 * the `RangeError` V8 throws at its limit, 4 GiB, which no test can reach), and its scans counted in `use`.
 */
function memoryLimitedWebAssembly(maxPages: number, use: ScanUse): object {
  class Instance {
    readonly exports: object;
    constructor(module: object, imports: object) {
      const Real = realWebAssembly.Instance as new (m: object, i: object) => { exports: LineScanExports };
      const real = new Real(module, imports).exports;
      const memory = {
        get buffer(): ArrayBuffer {
          return real.memory.buffer;
        },
        grow(pages: number): number {
          if (real.memory.buffer.byteLength / 65_536 + pages > maxPages) {
            use.refusals++;
            throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
          }
          return real.memory.grow(pages);
        },
      };
      const scan = (from: number, to: number, opening: number): number => {
        use.scans++;
        return real.scan(from, to, opening);
      };
      this.exports = { dataStart: real.dataStart, linesPassed: real.linesPassed, scan, memory };
    }
  }
  return { validate: realWebAssembly.validate, Module: realWebAssembly.Module, Instance };
}

interface LineScanExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  dataStart(): number;
  linesPassed(): number;
  scan(from: number, to: number, opening: number): number;
}

/** `pushLine` of every line of `bytes` (decoded as `pushBytes` decodes), then `end`: the reference. */
function killsByLine(
  kernelLog: typeof import('../../../../functions/core/kernel-log'),
  bytes: Buffer,
): Kill[] {
  const parser = new kernelLog.KernelLogParser({ referenceDate: CORPUS_REFERENCE_DATE });
  const lines = bytes.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const kills = lines.flatMap((line) => parser.pushLine(line));
  return [...kills, ...parser.end()];
}

/** About `bytes` of noise lines, some of which the prefilter lets through. */
function noiseOf(bytes: number): string {
  const lines: string[] = [];
  for (let size = 0, i = 0; size < bytes; i++) {
    const line = NOISE[i % NOISE.length] ?? '';
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

describe('pushBytes when the WebAssembly memory cannot grow to hold a chunk', () => {
  it('scans such a chunk with the regular expression: every corpus report, the kills pushLine finds', async () => {
    const use: ScanUse = { scans: 0, refusals: 0 };
    // One page, as the module starts with: no chunk above 64 KiB fits.
    vi.stubGlobal('WebAssembly', memoryLimitedWebAssembly(1, use));
    const { scan, kernelLog } = await freshModules();
    expect(scan.wasmLineScan()).not.toBeNull();
    let kills = 0;
    for (const sample of corpusSamples()) {
      // The report after 70 KB of noise, in one chunk: the module's memory would have to grow to take it.
      const bytes = Buffer.concat([Buffer.from(noiseOf(70_000)), readFileSync(sample.logPath)]);
      const parser = new kernelLog.KernelLogParser({
        referenceDate: CORPUS_REFERENCE_DATE,
        byteView: NODE_BYTE_VIEW,
      });
      const refusals = use.refusals;
      const scans = use.scans;
      const found = [...parser.pushBytes(bytes), ...parser.end()];
      expect(use.refusals, sample.name).toBe(refusals + 1);
      expect(use.scans, `${sample.name}: the module scanned a chunk it does not hold`).toBe(scans);
      expect(found, `${sample.theme}/${sample.name}`).toEqual(killsByLine(kernelLog, bytes));
      kills += found.length;
    }
    expect(kills).toBeGreaterThan(100);
  });

  it('scans in the module the chunks it holds and with the regular expression the others, in one log', async () => {
    const use: ScanUse = { scans: 0, refusals: 0 };
    // Four pages: a chunk of 70 KB makes the memory grow, one of 300 KB cannot.
    vi.stubGlobal('WebAssembly', memoryLimitedWebAssembly(4, use));
    const { scan, kernelLog } = await freshModules();
    expect(scan.wasmLineScan()).not.toBeNull();
    const bytes = Buffer.from(
      corpusSamples()
        .map((sample, i) => `${readFileSync(sample.logPath, 'utf8')}\n${noiseOf(i % 7 === 0 ? 40_000 : 200)}`)
        .join(''),
    );
    const parser = new kernelLog.KernelLogParser({
      referenceDate: CORPUS_REFERENCE_DATE,
      byteView: NODE_BYTE_VIEW,
    });
    const SIZES = [3_000, 70_000, 300_000, 10_000, 600_000];
    const kills: Kill[] = [];
    const byFallback: Kill[] = [];
    for (let from = 0, i = 0; from < bytes.length; i++) {
      const to = bytes.indexOf(10, from + (SIZES[i % SIZES.length] ?? 0)) + 1 || bytes.length;
      const refusals = use.refusals;
      const found = parser.pushBytes(bytes.subarray(from, to));
      kills.push(...found);
      if (use.refusals > refusals) byFallback.push(...found);
      from = to;
    }
    kills.push(...parser.end());
    expect(use.scans).toBeGreaterThan(100);
    expect(use.refusals).toBeGreaterThan(1);
    // Both paths found kills: the comparison below covers each.
    expect(byFallback.length).toBeGreaterThan(20);
    expect(kills.length - byFallback.length).toBeGreaterThan(20);
    expect(kills).toEqual(killsByLine(kernelLog, bytes));
  });
});
