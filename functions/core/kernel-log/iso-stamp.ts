import { isDigit } from './scan';
import { twoDigits } from './time';

/**
 * The ISO 8601 stamp that opens an RFC 3339 syslog line, `journalctl -o short-iso` or `dmesg --time-format iso`
 * (`2026-11-25T16:58:01.123456+00:00 `), read in place. It was a pattern, two `replace` calls and `Date.parse` per
 * line, the largest cost of reading such a line while a report waits for its victim; the same answer comes from
 * the digits themselves for every stamp of an ordinary date, and `Date.parse` still reads any other.
 */

/** Where the parts of a stamp lie: what `ISO_STAMP`'s groups held, as offsets into the line. */
export interface IsoStamp {
  /** The index after the stamp (where its following space is). */
  end: number;
  /** The index of the fraction's `.` or `,`, or -1 when there is none. */
  fractionAt: number;
  /** The index where the offset (`Z`, `+hh:mm`, `+hhmm`) starts, or -1 when there is none. */
  offsetAt: number;
}

/**
 * `/^(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d)([.,]\d{1,9})?(Z|[+-]\d\d:?\d\d)?(?= )/` of `line`, read in place;
 * null when it does not match. The pattern cannot match by giving back what a greedy part took: a fraction cut
 * short leaves a digit where an offset or the space must follow, and an offset given up leaves its `Z` or sign
 * there, so reading each part as far as it goes decides.
 */
export function readIsoStamp(line: string): IsoStamp | null {
  if (!isDateTimeAt(line)) return null;
  let at = 19;
  let fractionAt = -1;
  const mark = line.charCodeAt(at);
  if (mark === 46 /* . */ || mark === 44 /* , */) {
    const digits = digitRunEnd(line, at + 1);
    if (digits > at + 1 && digits - (at + 1) <= 9) {
      fractionAt = at;
      at = digits;
    }
  }
  const offsetEnd = offsetEndAt(line, at);
  const offsetAt = offsetEnd > 0 ? at : -1;
  if (offsetEnd > 0) at = offsetEnd;
  return line.charCodeAt(at) === 32 ? { end: at, fractionAt, offsetAt } : null;
}

/** `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d` at the line's start. */
function isDateTimeAt(line: string): boolean {
  return (
    digitPairAt(line, 0) &&
    digitPairAt(line, 2) &&
    line.charCodeAt(4) === 45 /* - */ &&
    digitPairAt(line, 5) &&
    line.charCodeAt(7) === 45 &&
    digitPairAt(line, 8) &&
    line.charCodeAt(10) === 84 /* T */ &&
    digitPairAt(line, 11) &&
    line.charCodeAt(13) === 58 /* : */ &&
    digitPairAt(line, 14) &&
    line.charCodeAt(16) === 58 &&
    digitPairAt(line, 17)
  );
}

function digitPairAt(line: string, at: number): boolean {
  return isDigit(line.charCodeAt(at)) && isDigit(line.charCodeAt(at + 1));
}

function digitRunEnd(line: string, start: number): number {
  let at = start;
  while (isDigit(line.charCodeAt(at))) at++;
  return at;
}

/** The index after `Z|[+-]\d\d:?\d\d` at `at`, or -1. */
function offsetEndAt(line: string, at: number): number {
  const c = line.charCodeAt(at);
  if (c === 90 /* Z */) return at + 1;
  if (c !== 43 /* + */ && c !== 45 /* - */) return -1;
  if (!isDigit(line.charCodeAt(at + 1)) || !isDigit(line.charCodeAt(at + 2))) return -1;
  const minutes = line.charCodeAt(at + 3) === 58 /* : */ ? at + 4 : at + 3;
  return isDigit(line.charCodeAt(minutes)) && isDigit(line.charCodeAt(minutes + 1)) ? minutes + 2 : -1;
}

/**
 * The epoch milliseconds of the stamp `readIsoStamp` found, or null: what `Date.parse` gives for the stamp with
 * its `,` made a `.`, a colon put into a `+hhmm` offset, and `Z` added when it names no offset (the stamp's own
 * text is the sender's clock; without an offset it is read as UTC).
 *
 * A stamp of an ordinary date (year 100 on, month 1-12, a day the month has, hour 0-23, minute and second 0-59,
 * offset under 24 hours) is computed from its digits: `Date.parse` reads such a stamp as exactly that instant,
 * taking the first three fraction digits as milliseconds (it truncates, not rounds). Any other stamp (day 31 of a
 * 30-day month, hour 24, second 60, offset +24:00, year 0099) is handed to `Date.parse`, which some engines
 * accept (rolling the day over, or 24:00 as the next midnight) and some refuse; iso-stamp.property.test.ts holds
 * both paths to `Date.parse` of the rewritten text.
 */
export function isoStampMs(line: string, stamp: IsoStamp): number | null {
  const year = twoDigits(line, 0) * 100 + twoDigits(line, 2);
  const month = twoDigits(line, 5);
  const day = twoDigits(line, 8);
  const hour = twoDigits(line, 11);
  const minute = twoDigits(line, 14);
  const second = twoDigits(line, 17);
  let offsetMinutes = 0;
  let ordinaryOffset = true;
  const offsetAt = stamp.offsetAt;
  if (offsetAt >= 0 && line.charCodeAt(offsetAt) !== 90 /* Z */) {
    const hours = twoDigits(line, offsetAt + 1);
    const minutes = twoDigits(line, line.charCodeAt(offsetAt + 3) === 58 ? offsetAt + 4 : offsetAt + 3);
    ordinaryOffset = hours <= 23 && minutes <= 59;
    offsetMinutes = (line.charCodeAt(offsetAt) === 45 /* - */ ? -1 : 1) * (hours * 60 + minutes);
  }
  if (
    !ordinaryOffset ||
    year < 100 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return parsedByDate(line, stamp);
  }
  const millis = stamp.fractionAt >= 0 ? fractionMillis(line, stamp.fractionAt + 1) : 0;
  const seconds = ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute - offsetMinutes) * 60 + second;
  return seconds * 1000 + millis;
}

/** The old reading, for the stamps `isoStampMs` does not compute itself. */
function parsedByDate(line: string, stamp: IsoStamp): number | null {
  const text = line.slice(0, stamp.end);
  const ms = Date.parse(
    stamp.offsetAt >= 0
      ? text.replace(',', '.').replace(/([+-]\d\d)(\d\d)$/, '$1:$2')
      : `${text.replace(',', '.')}Z`,
  );
  return Number.isNaN(ms) ? null : ms;
}

/** The first three digits of a fraction starting at `start` (1-9 digits), as milliseconds: `.5` is 500. */
function fractionMillis(line: string, start: number): number {
  let millis = 0;
  let digits = 0;
  for (; digits < 3 && isDigit(line.charCodeAt(start + digits)); digits++) {
    millis = millis * 10 + (line.charCodeAt(start + digits) - 48);
  }
  for (; digits < 3; digits++) millis *= 10;
  return millis;
}

/**
 * Days from 1970-01-01 to the date, as `Date.UTC` counts them (the proleptic Gregorian calendar): H. Hinnant's
 * days_from_civil, in whole numbers, for years from 100 on (so its era is never negative). Every step is an exact
 * integer, so the milliseconds built from it are exactly `Date.UTC`'s.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] as number;
}
