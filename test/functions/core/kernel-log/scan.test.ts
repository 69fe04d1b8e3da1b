import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  digitsEnd,
  endsWithIgnoringCase,
  integerIn,
  isWhitespace,
  numberAfter,
} from '../../../../functions/core/kernel-log/scan';

describe('integerIn', () => {
  it('reads any run of digits exactly as Number does, long runs included', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,25}$/), (digits) => {
        expect(integerIn(`x${digits}y`, 1, 1 + digits.length)).toBe(Number(digits));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('digitsEnd', () => {
  it('stops at the first non-digit or after the maximum', () => {
    expect(digitsEnd('ab12345c', 2, 10)).toBe(7);
    expect(digitsEnd('ab12345c', 2, 3)).toBe(5);
    expect(digitsEnd('abc', 1, 5)).toBe(1);
    expect(digitsEnd('12', 0, 5)).toBe(2);
  });
});

describe('numberAfter', () => {
  /** The definition: the first occurrence of `key` that starts a word, its integer, all within the window. */
  function reference(text: string, key: string, from: number, limit: number): number | null {
    const window = text.slice(from, limit);
    const match = new RegExp(`(?:^|[ ,\\t])${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(-?\\d{0,20})`).exec(
      window,
    );
    if (!match) return null;
    const digits = match[1] ?? '';
    return digits === '' || digits === '-' ? null : Number(digits);
  }

  it('agrees with its definition on arbitrary text', () => {
    const piece = fc.constantFrom('anon-rss:', 'rss:', ' ', ',', '\t', '-', '7', '123', 'kB', 'x');
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('')),
        fc.nat(20),
        fc.nat(60),
        (text, from, length) => {
          const start = Math.min(from, text.length);
          const limit = Math.min(text.length, start + length);
          expect(numberAfter(text, 'anon-rss:', start, limit)).toBe(
            reference(text, 'anon-rss:', start, limit),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads negative numbers and ignores a key inside a longer word', () => {
    expect(numberAfter('x oom_score_adj:-1000 y', 'oom_score_adj:', 0, 23)).toBe(-1000);
    expect(numberAfter('xanon-rss:5 anon-rss:7', 'anon-rss:', 0, 22)).toBe(7);
    expect(numberAfter('anon-rss:5', 'anon-rss:', 0, 9)).toBeNull();
  });
});

describe('endsWithIgnoringCase', () => {
  it('compares ASCII letters without regard to case', () => {
    expect(endsWithIgnoringCase('Out of Memory: Killed', 'out of memory: ', 15)).toBe(true);
    expect(endsWithIgnoringCase('OUT OF MEMORY: ', 'out of memory: ', 15)).toBe(true);
    expect(endsWithIgnoringCase('out of memory; ', 'out of memory: ', 15)).toBe(false);
    expect(endsWithIgnoringCase('memory: ', 'out of memory: ', 8)).toBe(false);
  });
});

describe('isWhitespace', () => {
  it('is what a regular expression calls \\s', () => {
    for (let code = 0; code < 0x10000; code++) {
      expect(isWhitespace(code), `U+${code.toString(16)}`).toBe(/\s/.test(String.fromCharCode(code)));
    }
  });
});
