import { readFileSync } from 'node:fs';
import { NODE_BYTE_VIEW } from '../cli/io/node-byte-view';
import { nextCandidateLine } from '../functions/core/kernel-log/prefilter';
import { wasmLineScan } from '../functions/core/kernel-log/wasm-line-scan';

/**
 * The chunk scan alone, regular expression against WebAssembly, over a log cut into `pushBytes`'s pieces (64 KiB
 * of whole lines, in 1 MiB chunks), in ns a byte; and whether the two found the same lines (they must).
 *
 *     npx tsx bench/line-scan.ts [path=/tmp/q200.log] [MiB=50] [runs=5]
 */
const path = process.argv[2] ?? '/tmp/q200.log';
const mib = Number(process.argv[3] ?? 50);
const runs = Number(process.argv[4] ?? 5);
const bytes = readFileSync(path).subarray(0, mib * 1024 * 1024);

/** 1 MiB chunks of whole lines, each cut into pieces of about 64 KiB of whole lines, as pushBytes cuts them. */
function pieces(chunk: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let from = 0; from < chunk.length; ) {
    let to = from + 65536 >= chunk.length ? chunk.length : chunk.lastIndexOf(10, from + 65535) + 1;
    if (to <= from) to = chunk.indexOf(10, from + 65536) + 1 || chunk.length;
    out.push([from, to]);
    from = to;
  }
  return out;
}
const chunks: Uint8Array[] = [];
for (let from = 0; from < bytes.length; ) {
  const to = Math.min(bytes.length, bytes.lastIndexOf(10, from + 1048575) + 1 || bytes.length);
  chunks.push(bytes.subarray(from, to > from ? to : bytes.length));
  from = to > from ? to : bytes.length;
}
const cut = chunks.map((chunk) => ({ chunk, pieces: pieces(chunk) }));
const views = cut.map(({ chunk, pieces }) =>
  pieces.map(([from, to]) => NODE_BYTE_VIEW.view(chunk.subarray(from, to))),
);

function linesIn(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) count++;
  if (to === text.length && to > from && text.charCodeAt(to - 1) !== 10) count++;
  return count;
}

/** Every candidate line of the log and the lines skipped before each, as a list of numbers (to compare). */
function byRegex(withLines: boolean): number[] {
  const found: number[] = [];
  for (const pieceViews of views)
    for (const view of pieceViews) {
      for (let start = 0; start < view.length; ) {
        const next = nextCandidateLine(view, start);
        if (withLines) found.push(next, linesIn(view, start, next < 0 ? view.length : next));
        else found.push(next);
        if (next < 0) break;
        start = view.indexOf('\n', next) + 1 || view.length;
      }
    }
  return found;
}

function byWasm(): number[] {
  const scan = wasmLineScan();
  if (!scan) throw new Error('no WebAssembly SIMD here');
  const found: number[] = [];
  for (const { chunk, pieces } of cut) {
    scan.load(chunk);
    for (const [from, to] of pieces) {
      scan.select(from);
      const length = to - from;
      for (let start = 0; start < length; ) {
        const next = scan.next(start, length);
        found.push(next, scan.skipped);
        if (next < 0) break;
        start = lineAfter(chunk, from + next, to) - from;
      }
    }
  }
  return found;
}

/** Where the line after the one at `at` starts, or `to`. */
function lineAfter(chunk: Uint8Array, at: number, to: number): number {
  const end = chunk.indexOf(10, at);
  return end < 0 || end >= to ? to : end + 1;
}

function best(task: () => unknown): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    task();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

const scan = wasmLineScan();
if (!scan) throw new Error('no WebAssembly SIMD here');
// Correctness first: the scans compared line for line.
const expected = byRegex(true);
const got = byWasm();
const same = expected.length === got.length && expected.every((value, i) => value === got[i]);
const candidates = expected.filter((value, i) => i % 2 === 0 && value >= 0).length;
const n = bytes.length;
const regex = best(() => byRegex(false));
const regexLines = best(() => byRegex(true));
const copy = best(() => {
  for (const { chunk } of cut) scan.load(chunk);
});
const wasmCopy = best(byWasm);
const wasm = wasmCopy - copy;
const ns = (ms: number) => ((ms * 1e6) / n).toFixed(3);
console.log(
  `${process.version} ${(n / 1048576).toFixed(0)} MiB, ${candidates} candidate lines, same answers: ${same}\n` +
    `  regex ${regex.toFixed(1)} ms (${ns(regex)} ns/B), regex+linesIn ${regexLines.toFixed(1)} ms (${ns(regexLines)} ns/B)\n` +
    `  wasm (lines counted, copy taken off) ${wasm.toFixed(1)} ms (${ns(wasm)} ns/B), copy alone ${copy.toFixed(1)} ms (${ns(copy)} ns/B), wasm+copy ${wasmCopy.toFixed(1)} ms (${ns(wasmCopy)} ns/B)\n` +
    `  regex+linesIn / wasm+copy = ${(regexLines / wasmCopy).toFixed(2)}x`,
);
if (!same) process.exitCode = 1;
