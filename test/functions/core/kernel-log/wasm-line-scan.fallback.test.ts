import { afterEach, describe, expect, it, vi } from 'vitest';
import { NODE_BYTE_VIEW } from '../../../../cli/io/node-byte-view';
import type { Kill } from '../../../../functions/core/kernel-log';
import { CORPUS_REFERENCE_DATE } from '../../../support/corpus';
import { corpusFiles, NOISE } from '../../../support/log-runs';

/**
 * Where the standard `WebAssembly` global, its SIMD or run-time compiling is missing, `pushBytes` finds its lines
 * with the regular expression (`wasm-line-scan.ts` gives null): each case loads the parser afresh under a stubbed
 * global and must give the kills the WebAssembly scan gives.
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
