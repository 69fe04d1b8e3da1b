import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../../../functions/core/kernel-log/envelope';
import {
  type DayStamp,
  dayStamp,
  inferYear,
  localIso,
  localMs,
  msOnDay,
} from '../../../../functions/core/kernel-log/time';

/*
 * A syslog stamp's date kept from line to line (`dayStamp`, `msOnDay`) against what each line computed before:
 * inferYear, localIso and localMs of the stamp's own numbers.
 */

const twoDigits = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
const clock = fc.tuple(twoDigits, twoDigits, twoDigits).map((parts) => parts.join(':'));
/** Reference dates of every kind: ordinary, at the ends of Date's range, invalid, and the epoch. */
const reference = fc.oneof(
  fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }).map((ms) => new Date(ms)),
  fc
    .constantFrom(8.64e15, -8.64e15, 8.64e15 - 86_400_000, -8.64e15 + 3 * 86_400_000, 0, Number.NaN)
    .map((ms) => new Date(ms)),
  fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true }).map((ms) => new Date(ms)),
);
const stamp = fc.record({
  month: fc.integer({ min: 1, max: 12 }),
  day: fc.oneof(fc.integer({ min: 1, max: 31 }), fc.constantFrom(1, 28, 29, 30, 31)),
  clock,
});

describe('dayStamp and msOnDay', () => {
  it('give what inferYear, localIso and localMs gave, over runs of stamps sharing days', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(stamp, fc.boolean()), { minLength: 1, maxLength: 30 }),
        reference,
        reference,
        (stamps, first, second) => {
          let last: DayStamp | undefined;
          for (const [{ month, day, clock: text }, switchReference] of stamps) {
            // A caller may change its reference date in place: a kept day must not outlive it.
            const referenceDate = switchReference ? second : first;
            const date = dayStamp(month, day, referenceDate, last);
            last = date;
            const year = inferYear(month, day, referenceDate);
            expect(`${date.isoDate}${text}`).toBe(localIso(year, month, day, text));
            expect(msOnDay(date, `Nov 25 ${text} host`, 7)).toBe(localMs(year, month, day, text));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('follow a Date changed in place', () => {
    const referenceDate = new Date('2026-11-25T23:59:59Z');
    const before = dayStamp(12, 31, referenceDate, undefined);
    referenceDate.setTime(Date.parse('2027-01-02T00:00:00Z'));
    const after = dayStamp(12, 31, referenceDate, before);
    expect([before.year, after.year]).toEqual([2025, 2026]);
  });

  it('leave the envelopes of a syslog run as each line alone reads them, at the time the old code read', () => {
    const months = { Nov: 11, Dec: 12, Jan: 1, Feb: 2 } as const;
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('Nov', 'Dec', 'Jan', 'Feb'),
            fc.integer({ min: 1, max: 31 }),
            clock,
            fc.constantFrom('', '.', '.5', '.123456'),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        (stamps) => {
          const referenceDate = new Date('2026-11-25T23:59:59Z');
          const context = { referenceDate };
          for (const [name, day, text, fraction] of stamps) {
            const line = `${name} ${String(day).padStart(2, ' ')} ${text}${fraction} host kernel: message`;
            const month = months[name];
            const year = inferYear(month, day, referenceDate);
            const alone = parseEnvelope(line, { referenceDate });
            expect(alone.timeMs).toBe(localMs(year, month, day, text));
            expect(alone.time).toBe(localIso(year, month, day, text, fraction.slice(1) || undefined));
            expect(parseEnvelope(line, context)).toEqual(alone);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
