import { isDigit } from './scan';

/** Small, allocation-light helpers to turn the date parts transports print into ISO 8601 text. */

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `YYYY-MM-DDTHH:MM:SS[.frac]` without an offset: the sender's local time, as the transport gave it. */
export function localIso(
  year: number,
  month: number,
  day: number,
  clock: string,
  fraction: string | undefined = undefined,
): string {
  return `${year}-${pad2(month)}-${pad2(day)}T${clock}${fraction ? `.${fraction}` : ''}`;
}

/** Milliseconds for ordering and gap checks; local times are read as if UTC, consistently within a source. */
export function localMs(year: number, month: number, day: number, clock: string): number {
  const h = twoDigits(clock, 0);
  const m = twoDigits(clock, 3);
  const s = clock.length >= 8 ? twoDigits(clock, 6) : 0;
  return Date.UTC(year, month - 1, day, h, m, s);
}

/** `Number(text.slice(at, at + 2))`, without the slice, for the two digits a clock's callers have checked. */
export function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  if (tens < 0 || tens > 9 || ones < 0 || ones > 9) return Number(text.slice(at, at + 2));
  return tens * 10 + ones;
}

const DAY_MS = 86_400_000;
/** The largest distance from the epoch a JavaScript `Date` holds (ECMA-262 21.4.1.1). */
export const MAX_DATE_MS = 8.64e15;

/**
 * Syslog (RFC 3164) and `dmesg -H` print no year. Take the latest year that does not put the line more than a
 * day after the reference date, which is how rsyslog and journalctl read such lines too.
 */
export function inferYear(month: number, day: number, reference: Date): number {
  const year = reference.getUTCFullYear();
  return Date.UTC(year, month - 1, day) > reference.getTime() + DAY_MS ? year - 1 : year;
}

/**
 * What a year-less stamp's date comes to against a reference date: the year `inferYear` gives it, its first
 * millisecond and its ISO text up to the clock. Kept for the next line, which is most often of the same day: a
 * syslog log's clock changes from line to line, its date seldom, and inferring the year (two `Date` calls) cost
 * more than the rest of the stamp.
 */
export interface DayStamp {
  readonly month: number;
  readonly day: number;
  /** The reference date's time when this was computed: a `Date` can be changed in place. */
  readonly referenceMs: number;
  readonly year: number;
  /** `Date.UTC(year, month - 1, day)`. */
  readonly dayMs: number;
  /** `localIso(year, month, day, '')`: `YYYY-MM-DDT`. */
  readonly isoDate: string;
}

/** The `DayStamp` of `month` and `day` against `reference`: `last` when it is that one, else a new one. */
export function dayStamp(month: number, day: number, reference: Date, last: DayStamp | undefined): DayStamp {
  const referenceMs = reference.getTime();
  if (last !== undefined && last.month === month && last.day === day && last.referenceMs === referenceMs) {
    return last;
  }
  const year = inferYear(month, day, reference);
  return {
    month,
    day,
    referenceMs,
    year,
    dayMs: Date.UTC(year, month - 1, day),
    isoDate: localIso(year, month, day, ''),
  };
}

/** Far enough inside Date's range that a day plus 99:99:99 is no time `Date.UTC` would clip. */
const SAFE_DAY_MS = MAX_DATE_MS - 5 * DAY_MS;

/**
 * `localMs(date.year, date.month, date.day, clock)`, the clock being the eight characters `hh:mm:ss` at `at` of
 * `line` (digits, as `isClockAt` checked; any two digits, `99:99:99` too). `Date.UTC` adds hours, minutes and
 * seconds to the day's first millisecond as whole numbers (ECMA-262 MakeTime, MakeDate), so the sum is the same
 * while it stays inside the range `Date.UTC` clips to; near its ends (or for an invalid reference date) it is
 * left to `localMs`.
 */
export function msOnDay(date: DayStamp, line: string, at: number): number {
  if (!(Math.abs(date.dayMs) <= SAFE_DAY_MS)) {
    return localMs(date.year, date.month, date.day, line.slice(at, at + 8));
  }
  const hours = twoDigits(line, at);
  const minutes = twoDigits(line, at + 3);
  const seconds = twoDigits(line, at + 6);
  return date.dayMs + hours * 3_600_000 + minutes * 60_000 + seconds * 1000;
}

/** The last second `isoFromMicros` spelled, and its text: a journal's lines come many to a second. */
let lastSecond = Number.NaN;
let lastSecondIso = '';

/**
 * Microseconds since the epoch (journald's `__REALTIME_TIMESTAMP`) as UTC ISO 8601 with microseconds. The text up
 * to the seconds is the same for every time within one second, so it is remembered for the next call: spelling a
 * Date costs more than the rest of a journal line's envelope.
 */
export function isoFromMicros(micros: string): string | null {
  const length = micros.length;
  if (length < 1 || length > 19) return null;
  for (let i = 0; i < length; i++) {
    const c = micros.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const ms = length > 3 ? Number(micros.slice(0, -3)) : 0;
  const second = Math.floor(ms / 1000);
  let iso: string;
  if (second === lastSecond) iso = lastSecondIso;
  else {
    const date = new Date(ms);
    if (Number.isNaN(date.getTime())) return null;
    iso = date.toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS of YYYY-MM-DDTHH:MM:SS.mmmZ
    // The last second of Date's range holds invalid times after its first millisecond: never remembered.
    if (ms < MAX_DATE_MS - 1000) {
      lastSecond = second;
      lastSecondIso = iso;
    }
  }
  const micro = micros.slice(-6).padStart(6, '0');
  return `${iso}.${micro}Z`;
}

/** Epoch milliseconds as UTC ISO 8601 (CloudWatch Logs event timestamps). */
export function isoFromMillis(ms: number): string | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** `/^\d\d:\d\d:\d\d$/` of the eight characters at `at`, read in place. */
export function isClockAt(line: string, at: number): boolean {
  return (
    isDigit(line.charCodeAt(at)) &&
    isDigit(line.charCodeAt(at + 1)) &&
    line.charCodeAt(at + 2) === 58 /* : */ &&
    isDigit(line.charCodeAt(at + 3)) &&
    isDigit(line.charCodeAt(at + 4)) &&
    line.charCodeAt(at + 5) === 58 &&
    isDigit(line.charCodeAt(at + 6)) &&
    isDigit(line.charCodeAt(at + 7))
  );
}
