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

/** One walk over the line from `start`: each phrase is checked from one byte it holds. */
function holdsOpeningPhrase(start: usize): bool {
  const brace = load<u8>(start) === 123;
  for (let p = start; p < runEnd; p++) {
    const c = <u32>load<u8>(p);
    if (c === 10) return false;
    if (c === 93 && closesPhrase(p)) return true;
    if (c === 58 && (spells(p, ': usage') || spells(p - 10, 'ctive_anon:'))) return true;
    if (c === 75 && spells(p, 'Killed /')) return true;
    if (c === 121 && spells(p - 4, 'emory cgroup')) return true;
    if (brace && (c === 92 || (c === 34 && opensArray(p + 1)))) return true;
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
