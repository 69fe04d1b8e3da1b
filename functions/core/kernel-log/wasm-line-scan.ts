import { SCAN_WASM, SCAN_WASM_RELAXED } from './scan-wasm.generated';

/**
 * `nextCandidateLine` and the count of the lines before its answer (`prefilter.ts`, `parser.ts`) on a chunk's
 * bytes, in WebAssembly with SIMD (`wasm/line-scan.ts` says how): `pushBytes` spends most of its time there on
 * Node 20, whose regular expression engine tries every position of the chunk. Same answers, by the tests
 * (`wasm-line-scan.property.test.ts`): it finds exactly the line the regular expression finds on the chunk's
 * one-byte view.
 */
export class WasmLineScan {
  /** How many lines the last `next` passed: `\n`s before the line found, and the last line if it lacks its `\n`. */
  skipped = 0;
  private memory: Uint8Array;
  private readonly base: number;
  private at = 0;

  constructor(private readonly wasm: ScanExports) {
    this.memory = new Uint8Array(wasm.memory.buffer);
    this.base = wasm.dataStart();
  }

  /**
   * Copy `chunk` (whole lines, as `pushBytes` takes them) into the module's memory, for the next scans to read;
   * false when the memory cannot grow to hold it (a chunk of gigabytes), and the regular expression must scan it.
   * The memory stays as large as the largest chunk loaded.
   */
  load(chunk: Uint8Array): boolean {
    const end = this.base + chunk.length;
    if (this.memory.length < end + PADDING) {
      try {
        this.wasm.memory.grow(Math.ceil((end + PADDING - this.memory.length) / 65536));
      } catch {
        return false;
      }
      this.memory = new Uint8Array(this.wasm.memory.buffer);
    }
    this.memory.set(chunk, this.base);
    // The scan reads a few bytes past a run of lines: past the chunk's last line it must see no phrase.
    this.memory.fill(0, end, end + PADDING);
    return true;
  }

  /** Make the offsets of `next` relative to `offset` of the loaded chunk (where `pushBytes`'s piece starts). */
  select(offset: number): void {
    this.at = this.base + offset;
  }

  /**
   * Where, at or after `from` (a line's start), the next line before `to` (a line's start or the chunk's end)
   * starts that `nextCandidateLine` would find; -1 when none does. `skipped` then says how many lines it passed.
   * With `opening`, the next line `KernelLogParser` reads while no report is open instead: one for which
   * `isHumanClockLine`, or `mayBelongToReport` and `mayOpenReport`, hold (`wasm/opening-line.ts`; a superset
   * where a byte above 127 may be white space, exact on ASCII lines).
   */
  next(from: number, to: number, opening = false): number {
    const found = this.wasm.scan(this.at + from, this.at + to, opening ? 1 : 0);
    this.skipped = this.wasm.linesPassed();
    if (found >= 0) return found - this.at;
    if (to > from && this.memory[this.at + to - 1] !== 10 /* \n */) this.skipped++;
    return -1;
  }
}

interface ScanExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  dataStart(): number;
  scan(from: number, to: number, opening: number): number;
  linesPassed(): number;
}

/** Zeroes after the chunk: the scan reads at most 16 bytes past a position, its checks a dozen more. */
const PADDING = 64;

let loaded: WasmLineScan | null | undefined;

/**
 * The scan, instantiated once, on first use (a module of 5 KB: 0.6 ms on Node 24, 3 ms on Node 20): the one with
 * relaxed SIMD where the engine has it (Node 24), else the one with SIMD alone (Node 20); null where the standard
 * `WebAssembly` global or its SIMD is missing, and the parser then uses the regular expression.
 */
export function wasmLineScan(): WasmLineScan | null {
  if (loaded === undefined) loaded = instantiateLineScan(SCAN_WASM_RELAXED) ?? instantiateLineScan(SCAN_WASM);
  return loaded;
}

/** The part of the standard `WebAssembly` global used here (the core's `lib` has no DOM types). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
}

/**
 * A new scan of the module `base64` (one of `scan-wasm.generated.ts`), or null where it cannot run: `wasmLineScan`
 * gives the one the parser uses; the tests check both.
 */
export function instantiateLineScan(base64: string): WasmLineScan | null {
  const WebAssembly = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (typeof WebAssembly !== 'object' || WebAssembly === null) return null;
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // An engine without (relaxed) SIMD rejects the module here rather than failing later.
  if (!WebAssembly.validate(bytes)) return null;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    return new WasmLineScan(instance.exports as unknown as ScanExports);
  } catch {
    // A host that forbids compiling code at run time (a content security policy) throws: the regex does the job.
    return null;
  }
}
