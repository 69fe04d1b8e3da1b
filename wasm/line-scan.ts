// AssemblyScript, compiled by scripts/build-scan-wasm.mjs into functions/core/kernel-log/scan-wasm.generated.ts.
// Not TypeScript: `usize`, `v128`, `load<u8>` are AssemblyScript's (tsconfig.json does not include this folder).
//
// The chunk scan of `nextCandidateLine` (functions/core/kernel-log/prefilter.ts), on bytes: from a line's start,
// where the next line starts that holds one of IN_CHUNK's phrases, and how many `\n` lie before it. It finds
// exactly the line IN_CHUNK finds on the one-byte view of the same bytes (line-scan tests hold it to that).
//
// How: every phrase holds three bytes in a row (its fingerprint) that are rare in kernel noise, e.g. `Tas` for
// `Tasks? in`. Sixteen positions at a time, each position's byte before, byte and byte after are looked up in
// nibble tables (the "Teddy" method of Hyperscan and Rust's aho-corasick: for each of the three offsets, one
// shuffle by the low nibble, one by the high, giving a byte of 8 bucket bits; a position whose three lookups
// share a bit may hold that bucket's fingerprint). Only at those positions, a few in a thousand bytes, are the
// bucket's phrases compared byte by byte. Each bucket's byte sets alias a little (a low nibble of one byte with
// the high nibble of another): that costs a comparison, never a miss.
//
// Memory: the caller copies a chunk of whole lines to `dataStart()`, which follows a `\n`, and zeroes 64 bytes
// after it, so reads a little before a line and past the chunk's end see a line end or zeroes.

const TABLES: usize = memory.data(96, 16);
const SCRATCH: usize = memory.data(16, 16);
let passed: i32 = 0;

/** Where the caller copies its chunk: after a `\n` byte, so that the first line starts a line. */
export function dataStart(): usize {
  return ((__heap_base + 15) & ~15) + 64;
}
store<u8>(dataStart() - 1, 10);

/** How many `\n` the last `scan` passed before the line it found (or before `to`, when it found none). */
export function linesPassed(): i32 {
  return passed;
}

// The buckets: phrases whose fingerprints share bytes share a bucket, so that their sets alias little.
const OOM_EMORY: u32 = 1; //          `o o m`, `m o r`
const COMM_MEMINFO_EVENTS: u32 = 2; // `m m :`, `m - I`, `g E v`, `" e v`
const KILL_PROCESS: u32 = 4; //       `l _ p`, `d _ p` (_ a space)
const PID_HEADER: u32 = 8; //         `d _ ]`, `_ _ ]`
const TASK_ROW: u32 = 16; //          `] _ ` then a space, `-` or digit
const HUMAN_CLOCK: u32 = 32; //       `\n [` then a letter or a byte above 127
const RAM_TASK: u32 = 64; //          `R A M`, `T a s`
const DUE_AWS_SWAP: u32 = 128; //     `d u e`, `a w s`, `s w a`

/** Let `bucket` take any byte of `chars` at `offset` (0: the byte before the position, 1: it, 2: the one after). */
function allow(bucket: u32, offset: i32, chars: string): void {
  for (let i = 0; i < chars.length; i++) allowByte(bucket, offset, <u32>chars.charCodeAt(i));
}

function allowByte(bucket: u32, offset: i32, byte: u32): void {
  const low = TABLES + <usize>(offset * 32) + (byte & 15);
  const high = TABLES + <usize>(offset * 32 + 16) + (byte >> 4);
  store<u8>(low, load<u8>(low) | bucket);
  store<u8>(high, load<u8>(high) | bucket);
}

function fingerprint(bucket: u32, before: string, at: string, after: string): void {
  allow(bucket, 0, before);
  allow(bucket, 1, at);
  allow(bucket, 2, after);
}

fingerprint(OOM_EMORY, 'o', 'o', 'm');
fingerprint(OOM_EMORY, 'm', 'o', 'r');
fingerprint(COMM_MEMINFO_EVENTS, 'm', 'm', ':');
fingerprint(COMM_MEMINFO_EVENTS, 'm', '-', 'I');
fingerprint(COMM_MEMINFO_EVENTS, 'g"', 'Ee', 'v');
fingerprint(KILL_PROCESS, 'ld', ' ', 'p');
fingerprint(PID_HEADER, 'd ', ' ', ']');
fingerprint(TASK_ROW, ']', ' ', ' -0123456789');
allow(HUMAN_CLOCK, 0, '\n');
allow(HUMAN_CLOCK, 1, '[');
for (let byte: u32 = 65; byte < 256; byte++) allowByte(HUMAN_CLOCK, 2, byte); // a superset: checked exactly
fingerprint(RAM_TASK, 'R', 'A', 'M');
fingerprint(RAM_TASK, 'T', 'a', 's');
fingerprint(DUE_AWS_SWAP, 'd', 'u', 'e');
fingerprint(DUE_AWS_SWAP, 'a', 'w', 's');
fingerprint(DUE_AWS_SWAP, 's', 'w', 'a');

/** True when the bytes at `p` spell `phrase` (ASCII). */
function spells(p: usize, phrase: string): bool {
  for (let i = 0; i < phrase.length; i++)
    if (<u32>load<u8>(p + i) !== <u32>phrase.charCodeAt(i)) return false;
  return true;
}

function isDigit(byte: u32): bool {
  return byte - 48 < 10;
}

/**
 * A task-table row's `[ {0,10}\d{1,10}\] {1,10}-?\d` at the line's start or after `: ` or `] `, `q` the byte after
 * its `]`. Spaces and digits are disjoint, so each run is taken whole: a longer run cannot match.
 */
function isTaskRow(q: usize): bool {
  let f = q;
  while (load<u8>(f) === 32) f++;
  if (f - q > 10) return false;
  let c = <u32>load<u8>(f);
  if (c === 45) c = <u32>load<u8>(f + 1);
  if (!isDigit(c)) return false;
  const close = q - 1;
  let d = close - 1;
  while (isDigit(load<u8>(d))) d--;
  if (close - 1 - d < 1 || close - 1 - d > 10) return false;
  let s = d;
  while (load<u8>(s) === 32) s--;
  if (d - s > 10 || load<u8>(s) !== 91) return false;
  const before = load<u8>(s - 1);
  if (before === 10) return true;
  const prefixEnd = load<u8>(s - 2);
  return before === 32 && (prefixEnd === 58 || prefixEnd === 93);
}

/** True when a phrase of one of `buckets` holds the byte at `q` where its fingerprint's middle byte is. */
function holdsPhrase(q: usize, buckets: u32): bool {
  if ((buckets & OOM_EMORY) !== 0 && (spells(q - 1, 'oom') || spells(q - 2, 'emory'))) return true;
  if (
    (buckets & COMM_MEMINFO_EVENTS) !== 0 &&
    (spells(q - 2, 'omm: ') ||
      spells(q - 3, 'Mem-Info') ||
      spells(q - 3, 'logEvents') ||
      spells(q - 1, '"events"'))
  )
    return true;
  if (
    (buckets & KILL_PROCESS) !== 0 &&
    spells(q + 1, 'process') &&
    (spells(q - 3, 'ill') || spells(q - 5, 'illed'))
  )
    return true;
  if (
    (buckets & PID_HEADER) !== 0 &&
    load<u8>(q + 1) === 93 &&
    (spells(q - 3, 'pid') || spells(q - 4, 'pid '))
  )
    return true;
  if ((buckets & TASK_ROW) !== 0 && isTaskRow(q)) return true;
  if ((buckets & HUMAN_CLOCK) !== 0 && load<u8>(q - 1) === 10 && load<u8>(q) === 91) {
    const c = <u32>load<u8>(q + 1);
    if ((c | 32) - 97 < 26 || c > 127) return true;
  }
  if (
    (buckets & RAM_TASK) !== 0 &&
    (spells(q - 7, 'pages RAM') || spells(q - 1, 'Task in') || spells(q - 1, 'Tasks in'))
  )
    return true;
  if (
    (buckets & DUE_AWS_SWAP) !== 0 &&
    (spells(q - 1, 'due to') ||
      spells(q - 1, 'awslogs') ||
      spells(q - 1, 'swap =') ||
      spells(q - 1, 'swap  ='))
  )
    return true;
  return false;
}

/** Each byte's bucket bits for one offset: its low nibble's and its high nibble's entries, both. */
function buckets(v: v128, low: v128, high: v128): v128 {
  const nibble = i8x16.splat(15);
  return v128.and(
    i8x16.swizzle(low, v128.and(v, nibble)),
    i8x16.swizzle(high, v128.and(i16x8.shr_u(v, 4), nibble)),
  );
}

/**
 * From `from` (a line's start in the copied chunk) to `to` (the end of a run of lines), where the next line
 * starts that holds a phrase, or -1; `linesPassed()` then tells how many `\n` lie between `from` and there.
 */
export function scan(from: usize, to: usize): isize {
  const newline = i8x16.splat(10);
  const zero = i8x16.splat(0);
  // The tables in locals, not loaded in each round.
  const lowBefore = v128.load(TABLES);
  const highBefore = v128.load(TABLES, 16);
  const lowAt = v128.load(TABLES, 32);
  const highAt = v128.load(TABLES, 48);
  const lowAfter = v128.load(TABLES, 64);
  const highAfter = v128.load(TABLES, 80);
  let lines = 0;
  for (let p = from; p < to; p += 16) {
    const at = v128.load(p);
    const hits = v128.and(
      v128.and(buckets(v128.load(p - 1), lowBefore, highBefore), buckets(at, lowAt, highAt)),
      buckets(v128.load(p + 1), lowAfter, highAfter),
    );
    const inRun: i32 = to - p >= 16 ? 0xffff : (1 << (<i32>(to - p))) - 1;
    const ends = i8x16.bitmask(i8x16.eq(at, newline)) & inRun;
    if (v128.any_true(hits)) {
      let where = i8x16.bitmask(i8x16.ne(hits, zero)) & inRun;
      v128.store(SCRATCH, hits);
      while (where !== 0) {
        const i = ctz(where);
        const q = p + <usize>i;
        if (holdsPhrase(q, load<u8>(SCRATCH + <usize>i))) {
          let start = q;
          while (load<u8>(start - 1) !== 10) start--;
          if (start > p) lines += popcnt(ends & ((1 << (<i32>(start - p))) - 1));
          passed = lines;
          return <isize>start;
        }
        where &= where - 1;
      }
    }
    lines += popcnt(ends);
  }
  passed = lines;
  return -1;
}
