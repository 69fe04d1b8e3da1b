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
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  if (tens < 0 || tens > 9 || ones < 0 || ones > 9) return Number(text.slice(at, at + 2));
  return tens * 10 + ones;
}

const DAY_MS = 86_400_000;

/**
 * Syslog (RFC 3164) and `dmesg -H` print no year. Take the latest year that does not put the line more than a
 * day after the reference date, which is how rsyslog and journalctl read such lines too.
 */
export function inferYear(month: number, day: number, reference: Date): number {
  const year = reference.getUTCFullYear();
  return Date.UTC(year, month - 1, day) > reference.getTime() + DAY_MS ? year - 1 : year;
}

/** The last second `isoFromMicros` spelled, and its text: a journal's lines come many to a second. */
let lastSecond = Number.NaN;
let lastSecondIso = '';
/** Date's range ends here (ECMA-262 21.4.1.1); only seconds wholly inside it are remembered. */
const MAX_DATE_MS = 8.64e15;

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
