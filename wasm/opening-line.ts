// AssemblyScript, part of wasm/line-scan.ts (which imports it): the second phrase set's test of a line.
//
// While no report is open, the parser reads a line (other than a `dmesg -H` clock line) only when both
// `mayBelongToReport` and `mayOpenReport` hold for it (prefilter.ts). Every phrase of the first test but `emory` and
// `due to` also satisfies the second (`oom`, `Mem-Info`, `pid {1,2}\]` within `pid\s*\]`, the task row within
// `[\s{0,10}\d{1,10}\]`, ...), so the lines to read then are those the first set finds by one of those phrases, and
// those it finds by `emory` or `due to` that also hold one of the second test's phrases the first does not imply.
// `openingLine` tests the latter on the line's bytes, once per line: `: usage`, `ctive_anon:`, `Killed /`,
// `emory cgroup`, the three ending in `]` (`pid\s*\]`, `(?:^|[^A-Za-z0-9_])\[\s{0,10}\d{1,10}\]`,
// `\d\d:\d\d\s*\]`) and, on a line starting with `{`, a backslash or `"\s*:\s*\[`.
// (prefilter-phrases.ts lists them: the tests find each here, at every offset and alignment.)
//
// `\s` is JavaScript's: ASCII's `\t \n \v \f \r` and space, and characters above 127 (U+00A0, U+2000-U+200A,
// U+3000, U+FEFF, ...), which UTF-8 spells with two or three bytes above 127. Here a white-space run is a run of
// ASCII white space (never `\n`) and bytes above 127, and `\s{0,10}` a run weighing at most 30 with 3 for an ASCII
// byte and 1 for another: a superset of the decoding's (a character of two or three bytes weighs two or three),
// exact on ASCII lines. A byte above 127 before the `[` is not a word character, as its character is not.

let knownEnd: usize = 0;
let knownStart: usize = 0;
let testedStart: usize = 0;
let testedOpens = false;
let runEnd: usize = 0;

/** Forget the lines tested (the memory's bytes may have changed) before a scan that ends its run at `to`. */
export function resetOpeningLines(to: usize): void {
  knownEnd = 0;
  testedStart = 0;
  runEnd = to;
}

/**
 * The start of the line holding `q`. The scan asks in order of position: the walk back stops at the position asked
 * last when it lies on the same line, so a long line with many hits is walked once, not once per hit.
 */
function lineStartOf(q: usize): usize {
  let s = q;
  while (s !== knownEnd && load<u8>(s - 1) !== 10) s--;
  const start = s === knownEnd ? knownStart : s;
  knownEnd = q;
  knownStart = start;
  return start;
}

/** True when the line holding `q` holds one of the phrases above (the answer kept for the line's next hits). */
export function openingLine(q: usize): bool {
  const start = lineStartOf(q);
  if (start !== testedStart) {
    testedStart = start;
    testedOpens = holdsOpeningPhrase(start);
  }
  return testedOpens;
}

function isDigit(byte: u32): bool {
  return byte - 48 < 10;
}

/** ASCII white space other than `\n`, or a byte above 127 (which may be part of a white-space character). */
function isSpaceOrHigh(byte: u32): bool {
  return byte === 32 || byte - 9 < 5 ? byte !== 10 : byte > 127; // `\t` to `\r` but `\n`, space, or above 127
}

function isWordByte(byte: u32): bool {
  return isDigit(byte) || (byte | 32) - 97 < 26 || byte === 95;
}

/** True when the bytes at `p` spell `phrase` (ASCII). */
function spells(p: usize, phrase: string): bool {
  for (let i = 0; i < phrase.length; i++)
    if (<u32>load<u8>(p + i) !== <u32>phrase.charCodeAt(i)) return false;
  return true;
}

/**
 * One walk over the line from `start`, 16 bytes at a time: each phrase is checked from one byte it holds (`]`, `:`,
 * `K`, `y`, and on a JSON line `\\` and `"`), found by comparing the block with each.
 */
function holdsOpeningPhrase(start: usize): bool {
  const brace = load<u8>(start) === 123;
  const json = brace ? i8x16.splat(34) : i8x16.splat(0);
  const backslash = brace ? i8x16.splat(92) : i8x16.splat(0);
  for (let p = start; p < runEnd; p += 16) {
    const at = v128.load(p);
    const marks = v128.or(
      v128.or(v128.or(i8x16.eq(at, i8x16.splat(93)), i8x16.eq(at, i8x16.splat(58))), i8x16.eq(at, json)),
      v128.or(
        v128.or(i8x16.eq(at, i8x16.splat(75)), i8x16.eq(at, i8x16.splat(121))),
        i8x16.eq(at, backslash),
      ),
    );
    const ends = <u32>i8x16.bitmask(i8x16.eq(at, i8x16.splat(10)));
    // The bytes of this line and run in the block: those before its first `\n` and before `runEnd`.
    let inLine: u32 = ends !== 0 ? ((<u32>1) << ctz(ends)) - 1 : 0xffff;
    if (runEnd - p < 16) inLine &= ((<u32>1) << (<u32>(runEnd - p))) - 1;
    for (let stops = <u32>i8x16.bitmask(marks) & inLine; stops !== 0; stops &= stops - 1) {
      const q = p + <usize>ctz(stops);
      const c = <u32>load<u8>(q);
      if (c === 93 && closesPhrase(q)) return true;
      if (c === 58 && (spells(q, ': usage') || spells(q - 10, 'ctive_anon:'))) return true;
      if (c === 75 && spells(q, 'Killed /')) return true;
      if (c === 121 && spells(q - 4, 'emory cgroup')) return true;
      if (c === 92 || (c === 34 && opensArray(q + 1))) return true;
    }
    if (inLine !== 0xffff) return false;
  }
  return false;
}

/**
 * At a `]`: `pid\s*\]`, `\d\d:\d\d\s*\]`, or `\[\s{0,10}\d{1,10}\]` after the line's start or a non-word byte.
 * Each walk takes a whole run (white space and digits are disjoint), and only the runs just before this `]`.
 */
function closesPhrase(p: usize): bool {
  let s = p;
  while (isSpaceOrHigh(load<u8>(s - 1))) s--;
  if (spells(s - 3, 'pid')) return true;
  if (
    isDigit(load<u8>(s - 1)) &&
    isDigit(load<u8>(s - 2)) &&
    load<u8>(s - 3) === 58 &&
    isDigit(load<u8>(s - 4)) &&
    isDigit(load<u8>(s - 5))
  )
    return true;
  let d = p - 1;
  while (isDigit(load<u8>(d))) d--;
  if (p - 1 - d < 1 || p - 1 - d > 10) return false;
  let w = d;
  let weight: u32 = 0;
  for (let c = <u32>load<u8>(w); isSpaceOrHigh(c); c = <u32>load<u8>(--w)) weight += c > 127 ? 1 : 3;
  if (weight > 30 || load<u8>(w) !== 91) return false;
  // The line's start is after a `\n`, which is no word byte either.
  return !isWordByte(load<u8>(w - 1));
}

/** After a `"` at `p - 1`: `\s*:\s*\[`. */
function opensArray(p: usize): bool {
  let s = p;
  while (isSpaceOrHigh(load<u8>(s))) s++;
  if (load<u8>(s) !== 58) return false;
  s++;
  while (isSpaceOrHigh(load<u8>(s))) s++;
  return load<u8>(s) === 91;
}
