/**
 * Allocation-free scanning of kernel text. The detector parses tens of thousands of lines per batch, and a
 * substring or a regex match per field made the garbage collector the largest cost of the pure path; these
 * helpers read numbers and keys in place instead.
 */

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Whitespace as a regular expression's `\s` reads it. */
export function isWhitespace(code: number): boolean {
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** The index after the run of at most `maxDigits` decimal digits starting at `start` (`start` when there is none). */
export function digitsEnd(text: string, start: number, maxDigits: number): number {
  const limit = Math.min(text.length, start + maxDigits);
  let end = start;
  while (end < limit && isDigit(text.charCodeAt(end))) end++;
  return end;
}

/** The value of the decimal digits `text[start, end)`, exactly as `Number` would read them. */
export function integerIn(text: string, start: number, end: number): number {
  // Up to 15 digits the running value stays an exact integer; longer runs go through `Number` to round alike.
  if (end - start > 15) return Number(text.slice(start, end));
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

/**
 * The integer (optionally negative, at most 20 digits) right after `key`, where `key` starts a word (after a
 * space, a comma, a tab or at `from`) and lies within `[from, limit)`; null when there is none.
 */
export function numberAfter(text: string, key: string, from: number, limit: number): number | null {
  let at = text.indexOf(key, from);
  while (at > from && at < limit) {
    const before = text.charCodeAt(at - 1);
    if (before === 32 || before === 44 || before === 9) break;
    at = text.indexOf(key, at + 1);
  }
  if (at < 0 || at + key.length > limit) return null;
  let start = at + key.length;
  const negative = text.charCodeAt(start) === 45; /* - */
  if (negative) start++;
  const end = digitsEnd(text, start, Math.min(20, limit - start));
  if (end === start) return null;
  const value = integerIn(text, start, end);
  return negative ? -value : value;
}

/** True when `text` ends with `suffix` at `position`, ignoring ASCII case (`suffix` is lower case). */
export function endsWithIgnoringCase(text: string, suffix: string, position: number): boolean {
  const start = position - suffix.length;
  if (start < 0) return false;
  for (let i = 0; i < suffix.length; i++) {
    let c = text.charCodeAt(start + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== suffix.charCodeAt(i)) return false;
  }
  return true;
}
