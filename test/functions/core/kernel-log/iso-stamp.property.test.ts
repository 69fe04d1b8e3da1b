import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isoStampMs, readIsoStamp } from '../../../../functions/core/kernel-log/iso-stamp';
import { corpusSamples } from '../../../support/corpus';

/*
 * The in-place ISO stamp reader against what it replaced in envelope.ts's parseNumeric: the pattern, and
 * Date.parse of the stamp rewritten by two replaces. The old code is kept here as the specification.
 */

const ISO_STAMP = /^(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d)([.,]\d{1,9})?(Z|[+-]\d\d:?\d\d)?(?= )/;

/** What the pattern's groups said: the stamp's end, where its fraction and offset start (or -1). */
function referenceStamp(line: string): { end: number; fractionAt: number; offsetAt: number } | null {
  const match = ISO_STAMP.exec(line);
  if (!match) return null;
  const fraction = match[5];
  const offset = match[6];
  return {
    end: match[0].length,
    fractionAt: fraction ? 19 : -1,
    offsetAt: offset ? match[0].length - offset.length : -1,
  };
}

function referenceMs(line: string): number | null {
  const match = ISO_STAMP.exec(line);
  if (!match) throw new Error('no stamp');
  const [stamp, , , , , , offset] = match;
  const timeMs = Date.parse(
    offset ? stamp.replace(',', '.').replace(/([+-]\d\d)(\d\d)$/, '$1:$2') : `${stamp.replace(',', '.')}Z`,
  );
  return Number.isNaN(timeMs) ? null : timeMs;
}

const twoDigits = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
/** Mostly ordinary values, with every two-digit value possible (month 13, day 31 of April, hour 24, second 60). */
const field = (low: number, high: number) =>
  fc.oneof(
    fc.integer({ min: low, max: high }).map((n) => String(n).padStart(2, '0')),
    twoDigits,
  );
const year = fc.oneof(
  fc.integer({ min: 1900, max: 2100 }),
  fc.integer({ min: 0, max: 9999 }),
  fc.constantFrom(0, 99, 100, 1600, 1900, 2000, 2024, 2100, 9999),
);
const fraction = fc.oneof(
  fc.constant(''),
  fc
    .tuple(fc.constantFrom('.', ','), fc.stringMatching(/^\d{0,11}$/))
    .map(([mark, digits]) => `${mark}${digits}`),
);
const offset = fc.oneof(
  fc.constantFrom('', 'Z', 'z', '+', '-', '+0', '+00:', '+00:0', '+000', 'ZZ'),
  fc
    .tuple(fc.constantFrom('+', '-'), field(0, 23), fc.constantFrom(':', ''), field(0, 59))
    .map((parts) => parts.join('')),
);
const stampLine = fc
  .tuple(
    year,
    field(1, 12),
    field(1, 31),
    field(0, 23),
    field(0, 59),
    field(0, 59),
    fraction,
    offset,
    fc.constantFrom(' host kernel: x', ' ', '', 'x', '0', ':', '\t'),
  )
  .map(
    ([y, mo, d, h, mi, s, frac, off, after]) =>
      `${String(y).padStart(4, '0')}-${mo}-${d}T${h}:${mi}:${s}${frac}${off}${after}`,
  );

/** Real lines and pieces of stamps, cut and joined anyhow: the reader must refuse what the pattern refuses. */
const mangledLine = fc
  .array(
    fc.constantFrom('2026', '-', '11', '25', 'T', '16:58:01', ':', '.', ',', '123', 'Z', '+', ' ', 'x', '5'),
    {
      maxLength: 14,
    },
  )
  .map((pieces) => pieces.join(''));

/** A generated stamp with one character changed: each place of the stamp's shape must be checked. */
const alteredLine = fc
  .tuple(
    stampLine,
    fc.nat(40),
    fc.constantFrom('0', '9', 'a', 'T', ':', '-', ' ', '.', ',', '+', 'Z', '\u0660'),
  )
  .map(
    ([line, at, c]) =>
      `${line.slice(0, at % (line.length + 1))}${c}${line.slice((at % (line.length + 1)) + 1)}`,
  );

const corpusLines = corpusSamples().flatMap((sample) => readFileSync(sample.logPath, 'utf8').split('\n'));

describe('readIsoStamp', () => {
  it('finds what the ISO pattern found on generated stamps', () => {
    fc.assert(
      fc.property(fc.oneof(stampLine, alteredLine, mangledLine, fc.string()), (line) => {
        expect(readIsoStamp(line)).toEqual(referenceStamp(line));
      }),
      { numRuns: 20_000 },
    );
  });

  it('finds what the ISO pattern found on every corpus line', () => {
    const stamped = corpusLines.filter((line) => referenceStamp(line) !== null);
    expect(stamped.length).toBeGreaterThan(50);
    for (const line of corpusLines) expect(readIsoStamp(line)).toEqual(referenceStamp(line));
  });
});

describe('isoStampMs', () => {
  it('gives what Date.parse of the rewritten stamp gave, valid or not', () => {
    fc.assert(
      fc.property(stampLine, (line) => {
        const stamp = readIsoStamp(line);
        fc.pre(stamp !== null);
        if (stamp) expect(isoStampMs(line, stamp)).toBe(referenceMs(line));
      }),
      { numRuns: 50_000 },
    );
  });

  it('gives what Date.parse gave on the edges of every field', () => {
    const edges = [
      '2024-02-29T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '2000-02-29T23:59:59.999Z',
      '2026-04-31T12:00:00+02:00',
      '2026-11-25T24:00:00Z',
      '2026-11-25T24:00:00.000+01:00',
      '2026-11-25T16:58:60Z',
      '2026-11-25T16:58:01+24:00',
      '2026-11-25T16:58:01-2359',
      '2026-11-25T16:58:01.1-00:00',
      '0099-12-31T23:59:59Z',
      '0100-01-01T00:00:00Z',
      '1969-12-31T23:59:59.999999999Z',
      '9999-12-31T23:59:59.999-00:01',
      '2026-00-25T16:58:01Z',
    ];
    for (const stamp of edges) {
      const line = `${stamp} host kernel: x`;
      const read = readIsoStamp(line);
      expect(read).not.toBeNull();
      if (read) expect(isoStampMs(line, read), stamp).toBe(referenceMs(line));
    }
  });

  it('gives what Date.parse gave on every corpus line with a stamp', () => {
    for (const line of corpusLines) {
      const stamp = readIsoStamp(line);
      if (stamp) expect(isoStampMs(line, stamp)).toBe(referenceMs(line));
    }
  });
});

/**
 * The month lengths of the proleptic Gregorian calendar, written out: the oracle `daysInMonth` (iso-stamp.ts) is
 * held to. `Date.parse` cannot be: V8 rolls 2100-02-29 over to March 1st, the very instant `isoStampMs` computes
 * when it wrongly takes the day for one the month has, so comparing answers alone never sees a wrong leap rule.
 * What does show it is which path a stamp takes: a day the month lacks must go to `Date.parse` (which some
 * engines refuse), a day it has must be computed without it.
 */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function gregorianDays(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (MONTH_DAYS[month - 1] as number);
}

/** The same through the engine's own calendar arithmetic: day 0 of the next month is this month's last. */
function lastDayByDate(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/** The instant of a date the month has, by the engine's calendar (years below 100 are not mapped to 19xx). */
function utcMs(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

/**
 * For every month of `year` and days 1 and 27-31: the stamp's instant when the month has the day, computed
 * without `Date.parse`; `Date.parse` asked (once) when it has not. Returns how many days went to `Date.parse`.
 */
function expectMonthLengthsOf(year: number, parse: { mock: { calls: unknown[][] } }): number {
  let refused = 0;
  for (let month = 1; month <= 12; month++) {
    const days = gregorianDays(year, month);
    expect(lastDayByDate(year, month), `${year}-${month}`).toBe(days);
    for (const day of [1, 27, 28, 29, 30, 31]) {
      const stamp = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T12:34:56Z`;
      const line = `${stamp} host kernel: x`;
      const read = readIsoStamp(line);
      if (!read) throw new Error(`not a stamp: ${line}`);
      const calls = parse.mock.calls.length;
      const ms = isoStampMs(line, read);
      const asked = parse.mock.calls.length - calls;
      if (day <= days) {
        expect(asked, `${stamp} is a day the month has: computed, not parsed`).toBe(0);
        expect(ms, stamp).toBe(utcMs(year, month, day) + (12 * 3600 + 34 * 60 + 56) * 1000);
      } else {
        expect(asked, `${stamp} is a day the month lacks: handed to Date.parse`).toBe(1);
        refused++;
      }
    }
  }
  return refused;
}

describe('isoStampMs on the last days of every month', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('knows which days each month has, by the Gregorian rule (century years leap only every 400)', () => {
    const parse = vi.spyOn(Date, 'parse');
    const years = [
      100, 1600, 1700, 1800, 1900, 1999, 2000, 2023, 2024, 2025, 2026, 2100, 2200, 2300, 2400, 9996, 9999,
    ];
    // Days the months lack in a year (of those tried): 30-31 of February in a leap year (2), 29-31 otherwise (3),
    // and the 31st of April, June, September and November (4).
    for (const year of years)
      expect(expectMonthLengthsOf(year, parse), String(year)).toBe(gregorianDays(year, 2) === 29 ? 6 : 7);
    expect(years.filter((year) => gregorianDays(year, 2) === 29)).toEqual([1600, 2000, 2024, 2400, 9996]);
  });

  it('knows which days each month has in any year from 100 to 9999', () => {
    const parse = vi.spyOn(Date, 'parse');
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 9999 }), (year) => {
        expectMonthLengthsOf(year, parse);
      }),
      { numRuns: 500 },
    );
  });
});
