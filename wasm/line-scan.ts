// AssemblyScript, compiled by scripts/build-scan-wasm.mjs into functions/core/kernel-log/scan-wasm.generated.ts
// (twice: with relaxed SIMD and without, see `lookup`).
// Not TypeScript: `usize`, `v128`, `load<u8>` are AssemblyScript's (tsconfig.json does not include this folder).
//
// The chunk scan of `nextCandidateLine` (functions/core/kernel-log/prefilter.ts), on bytes: from a line's start,
// where the next line starts that holds one of IN_CHUNK's phrases, and how many `\n` lie before it. It finds
// exactly the line IN_CHUNK finds on the one-byte view of the same bytes (line-scan tests hold it to that).
//
// How: every phrase holds three bytes in a row (its fingerprint) that are rare in kernel noise, e.g. `Tas` for
// `Tasks? in`. Sixteen bytes at a time, each byte is looked up in three pairs of nibble tables, one pair for each
// byte of a fingerprint (the "Teddy" method of Hyperscan and Rust's aho-corasick: one shuffle by the low nibble,
// one by the high, giving a byte of 8 bucket bits). A position whose last-byte bits share a bit with the middle-
// byte bits of the byte before it and the first-byte bits of the one two before may end that bucket's
// fingerprint. Only at those positions, about 1.5 in a thousand bytes of the bench's log, are the bucket's phrases
// compared byte by byte. Each bucket's byte sets alias a little (a low nibble of one byte with the high nibble of
// another): that costs a comparison, never a miss.
//
// A phrase is added with a fingerprint in a bucket (see which mixes it makes there) and its check in
// `holdsPhrase`, once it is in prefilter-phrases.ts's list: the tests look for every phrase of that list here, at
// every offset and alignment, and check that every phrase `spells` here is in it.
//
// A second set, for while no report is open (`scan`'s `openingSet`), needs no tables of its own: it is this set with
// `emory` and `due to` counting only on a line that also holds one of `opening-line.ts`'s phrases (it says why).
//
// Memory: the caller copies a chunk of whole lines to `dataStart()`, which follows a `\n`, and zeroes 64 bytes
// after it, so reads a little before a line and past the chunk's end see a line end or zeroes.

import { openingLine, resetOpeningLines } from './opening-line';

const TABLES: usize = memory.data(96, 16);
const SCRATCH: usize = memory.data(32, 16);
let passed: i32 = 0;
/** The set the current `scan` looks for: see `scan`. */
let opening = false;

/** Where the caller copies its chunk: after a `\n` byte, so that the first line starts a line. */
export function dataStart(): usize {
  return ((__heap_base + 15) & ~15) + 64;
}
store<u8>(dataStart() - 1, 10);

/** How many `\n` the last `scan` passed before the line it found (or before `to`, when it found none). */
export function linesPassed(): i32 {
  return passed;
}

// The buckets. Each byte of a position is looked up by its two nibbles, so a bucket with several fingerprints
// also takes the mixes of their bytes' nibbles (`T A M` from `T a s` and `R A M`): the fingerprints share buckets
// whose mixes are rare in kernel text. Measured on the first 50 MiB of the bench's realistic log (431k lines,
// 22k of them to read): 76k positions checked, against 192k with an earlier grouping.
const OOM_EMORY: u32 = 1; //        `o o m`, `m o r`
const COMM_MEMINFO: u32 = 2; //     `m m :`, `m - I`
const KILL_PROCESS: u32 = 4; //     `l _ p`, `d _ p` (_ a space)
const PID_HEADER: u32 = 8; //       `d _ ]`, `_ _ ]`
const TASK_ROW: u32 = 16; //        `] _ ` then a space, `-` or digit
const CLOCK_AWS_SWAP: u32 = 32; //  `\n [` then a letter or a byte above 127; `a w s`, `s w a`
const TASK_DUE: u32 = 64; //        `T a s`, `d u e`
const RAM_EVENTS: u32 = 128; //     `R A M`, `g E v`, `" e v`

/** Let `bucket` take any byte of `chars` at `offset` (0, 1, 2: the fingerprint's first, middle, last byte). */
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
fingerprint(COMM_MEMINFO, 'm', 'm', ':');
fingerprint(COMM_MEMINFO, 'm', '-', 'I');
fingerprint(KILL_PROCESS, 'ld', ' ', 'p');
fingerprint(PID_HEADER, 'd ', ' ', ']');
fingerprint(TASK_ROW, ']', ' ', ' -0123456789');
allow(CLOCK_AWS_SWAP, 0, '\n');
allow(CLOCK_AWS_SWAP, 1, '[');
for (let byte: u32 = 65; byte < 256; byte++) allowByte(CLOCK_AWS_SWAP, 2, byte); // a superset: checked exactly
fingerprint(CLOCK_AWS_SWAP, 'a', 'w', 's');
fingerprint(CLOCK_AWS_SWAP, 's', 'w', 'a');
fingerprint(TASK_DUE, 'T', 'a', 's');
fingerprint(TASK_DUE, 'd', 'u', 'e');
fingerprint(RAM_EVENTS, 'R', 'A', 'M');
fingerprint(RAM_EVENTS, 'g"', 'Ee', 'v');

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
  if (
    (buckets & OOM_EMORY) !== 0 &&
    (spells(q - 1, 'oom') || (spells(q - 2, 'emory') && (!opening || openingLine(q))))
  )
    return true;
  if ((buckets & COMM_MEMINFO) !== 0 && (spells(q - 2, 'omm: ') || spells(q - 3, 'Mem-Info'))) return true;
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
  if ((buckets & CLOCK_AWS_SWAP) !== 0) {
    if (load<u8>(q - 1) === 10 && load<u8>(q) === 91) {
      const c = <u32>load<u8>(q + 1);
      if ((c | 32) - 97 < 26 || c > 127) return true;
    }
    if (spells(q - 1, 'awslogs') || spells(q - 1, 'swap =') || spells(q - 1, 'swap  =')) return true;
  }
  if (
    (buckets & TASK_DUE) !== 0 &&
    (spells(q - 1, 'Task in') ||
      spells(q - 1, 'Tasks in') ||
      (spells(q - 1, 'due to') && (!opening || openingLine(q))))
  )
    return true;
  if (
    (buckets & RAM_EVENTS) !== 0 &&
    (spells(q - 7, 'pages RAM') || spells(q - 3, 'logEvents') || spells(q - 1, '"events"'))
  )
    return true;
  return false;
}

/**
 * `table[index]` for each byte, every index below 16. There the relaxed shuffle is defined to give what the plain
 * one gives, and saves its range check: the build makes a module of each, for engines with and without relaxed SIMD
 * (Node 24 has it: its scan took 0.16 ns a byte against 0.23 with the plain shuffle; Node 20 has not).
 */
function lookup(table: v128, index: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? i8x16.relaxed_swizzle(table, index) : i8x16.swizzle(table, index);
}

/**
 * From `from` (a line's start in the copied chunk) to `to` (the end of a run of lines), where the next line
 * starts that holds a phrase, or -1; `linesPassed()` then tells how many `\n` lie between `from` and there.
 * `openingSet` non-zero: the next line the parser reads while no report is open (see the header), else the next
 * line the prefilter or the clock test lets through.
 *
 * Each block of 16 bytes is looked up once in each offset's tables; a position's bits for the byte two before
 * it and the byte before it are those lookups moved by two and by one lane, the first lanes taken from the
 * block before (an `alignr`). So a hit is at a fingerprint's last byte, its middle byte before it.
 */
export function scan(from: usize, to: usize, openingSet: i32): isize {
  opening = openingSet !== 0;
  if (opening) resetOpeningLines(to);
  // The tables in locals, not loaded in each round.
  const lowFirst = v128.load(TABLES);
  const highFirst = v128.load(TABLES, 16);
  const lowSecond = v128.load(TABLES, 32);
  const highSecond = v128.load(TABLES, 48);
  const lowThird = v128.load(TABLES, 64);
  const highThird = v128.load(TABLES, 80);
  const nibble = i8x16.splat(15);
  const newline = i8x16.splat(10);
  const zero = i8x16.splat(0);
  let lines = 0;
  // The 16 bytes before `from` (the line before, or the padding before the chunk), for the first block's lanes.
  const before = v128.load(from - 16);
  let low = v128.and(before, nibble);
  let high = v128.and(i16x8.shr_u(before, 4), nibble);
  let first = v128.and(lookup(lowFirst, low), lookup(highFirst, high));
  let second = v128.and(lookup(lowSecond, low), lookup(highSecond, high));
  let p = from;
  // 32 bytes a round: one branch for both halves, which rarely hold a fingerprint.
  for (; p + 32 <= to; p += 32) {
    const at0 = v128.load(p);
    const at1 = v128.load(p, 16);
    low = v128.and(at0, nibble);
    high = v128.and(i16x8.shr_u(at0, 4), nibble);
    const first0 = v128.and(lookup(lowFirst, low), lookup(highFirst, high));
    const second0 = v128.and(lookup(lowSecond, low), lookup(highSecond, high));
    const third0 = v128.and(lookup(lowThird, low), lookup(highThird, high));
    low = v128.and(at1, nibble);
    high = v128.and(i16x8.shr_u(at1, 4), nibble);
    const first1 = v128.and(lookup(lowFirst, low), lookup(highFirst, high));
    const second1 = v128.and(lookup(lowSecond, low), lookup(highSecond, high));
    const third1 = v128.and(lookup(lowThird, low), lookup(highThird, high));
    const hits0 = v128.and(v128.and(third0, byOne(second, second0)), byTwo(first, first0));
    const hits1 = v128.and(v128.and(third1, byOne(second0, second1)), byTwo(first0, first1));
    first = first1;
    second = second1;
    const ends =
      <u32>i8x16.bitmask(i8x16.eq(at0, newline)) | ((<u32>i8x16.bitmask(i8x16.eq(at1, newline))) << 16);
    if (v128.any_true(v128.or(hits0, hits1))) {
      v128.store(SCRATCH, hits0);
      v128.store(SCRATCH, hits1, 16);
      const where =
        <u32>i8x16.bitmask(i8x16.ne(hits0, zero)) | ((<u32>i8x16.bitmask(i8x16.ne(hits1, zero))) << 16);
      const start = probe(p, where);
      if (start >= 0) {
        passed = lines + linesBefore(ends, p, <usize>start);
        return start;
      }
    }
    lines += <i32>popcnt(ends);
  }
  // The last bytes, 16 at a time, the positions past `to` masked off.
  for (; p < to; p += 16) {
    const at = v128.load(p);
    low = v128.and(at, nibble);
    high = v128.and(i16x8.shr_u(at, 4), nibble);
    const first0 = v128.and(lookup(lowFirst, low), lookup(highFirst, high));
    const second0 = v128.and(lookup(lowSecond, low), lookup(highSecond, high));
    const third0 = v128.and(lookup(lowThird, low), lookup(highThird, high));
    const hits = v128.and(v128.and(third0, byOne(second, second0)), byTwo(first, first0));
    first = first0;
    second = second0;
    const inRun: u32 = to - p >= 16 ? 0xffff : ((<u32>1) << (<u32>(to - p))) - 1;
    const ends = <u32>i8x16.bitmask(i8x16.eq(at, newline)) & inRun;
    if (v128.any_true(hits)) {
      v128.store(SCRATCH, hits);
      const start = probe(p, <u32>i8x16.bitmask(i8x16.ne(hits, zero)) & inRun);
      if (start >= 0) {
        passed = lines + linesBefore(ends, p, <usize>start);
        return start;
      }
    }
    lines += <i32>popcnt(ends);
  }
  passed = lines;
  return -1;
}

/** The lanes of `current` moved up by one, the last lane of `previous` first. */
function byOne(previous: v128, current: v128): v128 {
  return i8x16.shuffle(previous, current, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
}

/** The lanes of `current` moved up by two, the last two lanes of `previous` first. */
function byTwo(previous: v128, current: v128): v128 {
  return i8x16.shuffle(previous, current, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29);
}

/** How many of the `\n` bits of `ends` (over the bytes from `p`) lie before `start` (which may lie before `p`). */
function linesBefore(ends: u32, p: usize, start: usize): i32 {
  return start > p ? <i32>popcnt(ends & (((<u32>1) << (<u32>(start - p))) - 1)) : 0;
}

/**
 * The first position of `where` (bits over the bytes from `p`, their buckets in SCRATCH) that holds a phrase: the
 * start of its line (at or after `p` when the line starts there, else before it), or -1.
 */
function probe(p: usize, where: u32): isize {
  while (where !== 0) {
    const i = <usize>ctz(where);
    // The hit is at the fingerprint's last byte: its middle byte, where the checks start, is the one before.
    const q = p + i - 1;
    if (holdsPhrase(q, load<u8>(SCRATCH + i))) {
      // The caller's `from` follows a `\n` (no fingerprint has one in the middle): the walk back stops there.
      let start = q;
      while (load<u8>(start - 1) !== 10) start--;
      return <isize>start;
    }
    where &= where - 1;
  }
  return -1;
}
