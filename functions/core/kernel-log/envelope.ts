import { isoStampMs, readIsoStamp } from './iso-stamp';
import {
  emptyEnvelope,
  kernelStampEnd,
  PRIORITY,
  stripCallerFrom,
  stripPriorityAndCaller,
  withKernelStamp,
  withKernelStampEndingAt,
  withKernelStampFrom,
} from './message-stamp';
import { englishMonthAt, monthNumber } from './months';
import { digitsEnd, integerIn, isDigit, isWhitespace } from './scan';
import {
  type DayStamp,
  dayStamp,
  inferYear,
  isClockAt,
  isoFromMicros,
  localIso,
  localMs,
  msOnDay,
} from './time';
import type { LineOrigin, Transport } from './types';

export { envelopeFromJournalRecord } from './journal';

/**
 * One log line with its transport stripped: who sent it, when, and the message itself.
 * Transports are detected per line, because real files mix them (a grep over rotated logs, a paste into
 * a bug report, a CloudWatch stream fed by two agents).
 */
export interface Envelope {
  transport: Transport;
  /** Who could have written the line: see `LineOrigin`. */
  origin: LineOrigin;
  host: string | null;
  /** `kernel`, `systemd-oomd`, another syslog tag, or null when the transport names no program (dmesg). */
  program: string | null;
  time: string | null;
  /** Wall-clock milliseconds for gap checks; null when the line carries no date. */
  timeMs: number | null;
  kernelTime: number | null;
  body: string;
}

/** State kept across lines: the reference date for year-less times and `dmesg -H`'s running clock. */
export interface EnvelopeContext {
  referenceDate: Date;
  /** The last absolute `dmesg -H` time seen, as `[iso, ms]`. */
  humanClock?: [string, number];
  /**
   * The last syslog or `dmesg -T` stamp read, with its time: the lines of one report share their second, so
   * most lines reuse it instead of reading month, day and clock again.
   */
  lastStamp?: { text: string; time: string; timeMs: number };
  /** The date of the last syslog stamp read that missed `lastStamp`: its clock changed, its date seldom does. */
  lastDay?: DayStamp;
  /** The last host name read: lines of one host reuse one string, which also keeps host lookups cheap. */
  lastHost?: string;
}

const MONOTONIC_JOURNAL = /^(?:([^\s:]{1,64}) )?(kernel|systemd-oomd(?:\[\d{1,10}\])?): /;
/** Names of syslog files without a dot or slash, as `grep -r` from /var/log prints them. */
const SYSLOG_FILE = /^(?:messages|syslog|kern|daemon|dmesg|debug|user|warn)(?:-\d{8})?$/;
const DMESG_DECODED = /^([a-z0-9]{2,8})\s*:[a-z]{3,6}\s*: /;
/** `cat -n` / `nl` numbering before a dmesg line: `     12\t[  123.456] ...`. */
const NUMBERED = /^ {0,10}\d{1,10}(?:\t| {1,10})(?=\[)/;
/** OpenWrt's logread: `Sat Jan 25 09:40:15 2020 kern.err kernel: `, a relay header naming the kernel facility. */
const LOGREAD = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} kern\.[a-z]{3,7} kernel: /;
const CLOCK = /^\d\d:\d\d:\d\d$/;
const HUMAN_DELTA = /^\[\s*\+(\d{1,10})[.,](\d{1,9})\]/;

/** Parse the transport of one line. Never throws; a line of no known transport is `plain`. */
export function parseEnvelope(line: string, context: EnvelopeContext): Envelope {
  const direct = parseAt(line, context);
  if (direct) return direct;
  const afterPrefix = parseAfterGrepPrefix(line, context);
  if (afterPrefix) return afterPrefix;
  return parseEmbedded(line);
}

/**
 * No known transport at the start of the line. The kernel's marks further in count only behind a prefix that
 * adds nothing but numbering (`cat -n`, `nl`) or a relay's header naming the kernel facility (OpenWrt's
 * logread). Kernel text anywhere else in a line is another program quoting it (an access log's query string,
 * a JSON field, a Lambda log line, an application's message): not a kill, so the line stays `plain` text, which
 * the parser reads only from its first character.
 */
function parseEmbedded(line: string): Envelope {
  const numbered = NUMBERED.exec(line);
  if (numbered) {
    const rest = line.slice(numbered[0].length);
    if (kernelStampEnd(rest) > 0) return withKernelStamp(emptyEnvelope('dmesg', ''), rest);
  }
  const relayed = line.charCodeAt(0) <= 90 ? LOGREAD.exec(line) : null;
  if (relayed) {
    const envelope = emptyEnvelope('plain', '');
    envelope.program = 'kernel';
    envelope.origin = 'syslog-tag';
    return withKernelStamp(envelope, line.slice(relayed[0].length));
  }
  return emptyEnvelope('plain', line);
}

/**
 * Where a kernel `[ 123.456]` stamp starts inside a message: some kernels (5.0) lost the newline after the
 * `oom-kill:` line, so the next message follows on the same line. -1 when there is none.
 */
export function embeddedStampAt(body: string): number {
  for (let at = body.indexOf('[', 1); at >= 0; at = body.indexOf('[', at + 1)) {
    if (isEmbeddedStampAt(body, at)) return at;
  }
  return -1;
}

/**
 * `/\[\s*\d{1,10}\.\d{6}\]/y` at `at`, read in place: a lost newline's stamp has the kernel's six fraction
 * digits. Most lines hold a bracket (`nodemask=(null)` has none, a task row many) that is no stamp.
 */
function isEmbeddedStampAt(body: string, at: number): boolean {
  let i = at + 1;
  while (isWhitespace(body.charCodeAt(i))) i++;
  const seconds = digitsEnd(body, i, 10);
  if (seconds === i || body.charCodeAt(seconds) !== 46 /* . */) return false;
  return digitsEnd(body, seconds + 1, 6) === seconds + 7 && body.charCodeAt(seconds + 7) === 93 /* ] */;
}

/**
 * A ring-buffer record's syslog prefix (`<14>`, kmsg's first field) holds facility * 8 + level. The kernel logs
 * with facility 0; a record written into `/dev/kmsg` from user space gets LOG_USER unless it names another
 * facility, and it can never name 0 (kernel/printk/printk.c, devkmsg_write): a non-zero facility is root's text.
 */
function withFacility(envelope: Envelope, prefix: number): Envelope {
  if (prefix >= 8 && envelope.origin === 'kernel-ring-buffer') envelope.origin = 'ring-buffer-user-facility';
  return envelope;
}

function parseAt(line: string, context: EnvelopeContext): Envelope | null {
  const first = line.charCodeAt(0);
  if (first === 60 /* < */) {
    const priority = PRIORITY.exec(line);
    if (!priority) return null;
    const envelope = parseAt(line.slice(priority[0].length), context);
    return envelope && withFacility(envelope, Number(priority[1]));
  }
  if (first === 91 /* [ */) return parseBracketed(line, context);
  if (first >= 48 && first <= 57) return parseNumeric(line, context);
  if (first === 123 /* { */) return null; // JSON lines are handled by the caller, which parses them once.
  // `dmesg -x` opens with its facility in lower case: a syslog line (`Nov 25 ...`) never tries the pattern.
  const decoded = first >= 97 && first <= 122 ? DMESG_DECODED.exec(line) : null;
  if (decoded) {
    // dmesg -x names the facility: anything but `kern` was written into /dev/kmsg by root.
    const envelope = parseBracketed(line.slice(decoded[0].length), context);
    return envelope && withFacility(envelope, decoded[1] === 'kern' ? 0 : 8);
  }
  return parseSyslog3164(line, context);
}

/** `[  123.456] msg`, `[Wed Nov 25 16:58:01 2026] msg`, `[Nov25 16:58] msg`, `[  +0.000123] msg`. */
function parseBracketed(line: string, context: EnvelopeContext): Envelope | null {
  const stampEnd = kernelStampEnd(line);
  if (stampEnd > 0) {
    const envelope = withKernelStampEndingAt(emptyEnvelope('dmesg', line), line, 0, stampEnd);
    // `journalctl -o short-monotonic` (`[  321.765330] host kernel: msg`) and journald's console forwarding.
    const tagged = mayNameProgram(envelope.body) ? MONOTONIC_JOURNAL.exec(envelope.body) : null;
    if (tagged) {
      // journalctl prints every transport this way: the tag is the entry's identifier, which any sender sets.
      envelope.origin = 'syslog-tag';
      envelope.host = tagged[1] ?? null;
      envelope.program = (tagged[2] ?? '').replace(/\[\d+\]$/, '');
      envelope.body = envelope.body.slice(tagged[0].length);
    }
    return envelope;
  }
  const delta = HUMAN_DELTA.exec(line);
  if (delta) {
    const clock = context.humanClock;
    const envelope = emptyEnvelope('dmesg-human', stripCallerFrom(line, delta[0].length));
    if (clock) {
      envelope.time = clock[0];
      envelope.timeMs = clock[1];
    }
    return envelope;
  }
  const close = indexWithin(line, 93 /* ] */, 64);
  if (close < 0) return null;
  const cached = context.lastStamp;
  if (cached && line.startsWith(cached.text) && cached.text.length === close + 1) {
    const envelope = emptyEnvelope('dmesg-ctime', stripCallerFrom(line, close + 1));
    envelope.time = cached.time;
    envelope.timeMs = cached.timeMs;
    return envelope;
  }
  const stamp = line.slice(1, close).trim().split(/\s+/);
  const body = stripCallerFrom(line, close + 1);
  if (stamp.length >= 4) {
    // dmesg -T: [weekday month day hh:mm:ss year]; localized, the weekday may be absent and the day may come
    // before the month (`[dim. 19 avril 18:03:30 2026]`).
    const year = Number(stamp[stamp.length - 1]);
    const clock = stamp[stamp.length - 2] ?? '';
    const before = stamp[stamp.length - 4] ?? '';
    const after = stamp[stamp.length - 3] ?? '';
    const monthFirst = monthNumber(before);
    const month = monthFirst ?? monthNumber(after);
    const day = Number(monthFirst ? after : before);
    if (month && Number.isInteger(year) && year > 1970 && day >= 1 && day <= 31 && CLOCK.test(clock)) {
      const envelope = emptyEnvelope('dmesg-ctime', body);
      envelope.time = localIso(year, month, day, clock);
      envelope.timeMs = localMs(year, month, day, clock);
      context.lastStamp = { text: line.slice(0, close + 1), time: envelope.time, timeMs: envelope.timeMs };
      return envelope;
    }
  }
  if (stamp.length === 2) return parseHumanAbsolute(stamp, body, context);
  return null;
}

/**
 * Whether `journalctl -o short-monotonic`'s `host kernel: ` could open this message: the first colon must follow
 * the program's name. A cheap test that spares the full pattern on the many messages that have no such prefix.
 */
function mayNameProgram(body: string): boolean {
  const colon = body.indexOf(':');
  if (colon <= 0 || body.charCodeAt(colon + 1) !== 32) return false;
  return (
    body.endsWith('kernel', colon) ||
    body.endsWith('systemd-oomd', colon) ||
    body.charCodeAt(colon - 1) === 93
  );
}

/** `dmesg -H` / `--time-format reltime` absolute stamp: `[Nov25 16:58]` (minute precision, no year). */
function parseHumanAbsolute(stamp: string[], body: string, context: EnvelopeContext): Envelope | null {
  const monthDay = stamp[0] ?? '';
  const clock = stamp[1] ?? '';
  if (!/^\d\d:\d\d$/.test(clock)) return null;
  let split = monthDay.length;
  while (split > 0 && isDigit(monthDay.charCodeAt(split - 1))) split--;
  const month = monthNumber(monthDay.slice(0, split));
  const day = Number(monthDay.slice(split));
  if (!month || !(day >= 1 && day <= 31)) return null;
  const year = inferYear(month, day, context.referenceDate);
  const iso = localIso(year, month, day, clock);
  const ms = localMs(year, month, day, clock);
  context.humanClock = [iso, ms];
  const envelope = emptyEnvelope('dmesg-human', body);
  envelope.time = iso;
  envelope.timeMs = ms;
  return envelope;
}

/** RFC 3339 syslog, `journalctl -o short-iso`, `dmesg --time-format iso`, and /dev/kmsg records. */
function parseNumeric(line: string, context: EnvelopeContext): Envelope | null {
  const kmsg = kmsgPrefixEnd(line);
  if (kmsg > 0) {
    const envelope = emptyEnvelope('kmsg', stripPriorityAndCaller(line.slice(kmsg)));
    // `kmsgPrefixEnd` found the fields ending at the first and third commas.
    const priorityEnd = line.indexOf(',');
    const sequenceEnd = line.indexOf(',', priorityEnd + 1);
    const timeEnd = line.indexOf(',', sequenceEnd + 1);
    envelope.kernelTime = integerIn(line, sequenceEnd + 1, timeEnd) / 1_000_000;
    return withFacility(envelope, integerIn(line, 0, priorityEnd));
  }
  const iso = readIsoStamp(line);
  if (!iso) return parseUnixStamp(line, context);
  const stamp = line.slice(0, iso.end);
  const ms = isoStampMs(line, iso);
  if (iso.fractionAt >= 0 && line.charCodeAt(iso.fractionAt) === 44 /* , */) {
    // dmesg --time-format iso: `2026-11-25T16:58:01,123456+00:00 msg`, no host.
    const rest = line.slice(iso.end + 1);
    const envelope = withKernelStamp(emptyEnvelope('dmesg-iso', rest), rest);
    envelope.time = stamp.replace(',', '.');
    envelope.timeMs = ms;
    return envelope;
  }
  const envelope = parseHostAndTag(line, iso.end + 1, context);
  if (!envelope) return null;
  // journalctl's short-iso prints `+0000`; RFC 3339 syslog `+00:00` or `Z`.
  envelope.transport = iso.offsetAt >= 0 && iso.end - iso.offsetAt === 5 ? 'journal-short-iso' : 'rfc3339';
  envelope.time = stamp;
  envelope.timeMs = ms;
  return envelope;
}

/**
 * The index after a /dev/kmsg record's prefix, `^(\d{1,3}),(\d{1,20}),(\d{1,20}),[^;]{0,200};` (priority,
 * sequence, microseconds, flags and more up to the first `;`), read in place; -1 when there is none.
 */
export function kmsgPrefixEnd(line: string): number {
  const priorityEnd = digitsEnd(line, 0, 3);
  if (priorityEnd === 0 || line.charCodeAt(priorityEnd) !== 44 /* , */) return -1;
  const sequenceEnd = digitsEnd(line, priorityEnd + 1, 20);
  if (sequenceEnd === priorityEnd + 1 || line.charCodeAt(sequenceEnd) !== 44) return -1;
  const timeEnd = digitsEnd(line, sequenceEnd + 1, 20);
  if (timeEnd === sequenceEnd + 1 || line.charCodeAt(timeEnd) !== 44) return -1;
  const semicolon = line.indexOf(';', timeEnd + 1);
  return semicolon >= 0 && semicolon - (timeEnd + 1) <= 200 ? semicolon + 1 : -1;
}

/** `journalctl -o short-unix`: `1795627850.077199 host kernel: msg`. */
function parseUnixStamp(line: string, context: EnvelopeContext): Envelope | null {
  const unix = /^(\d{9,11})\.(\d{6}) /.exec(line);
  if (!unix) return null;
  const envelope = parseHostAndTag(line, unix[0].length, context);
  if (!envelope) return null;
  envelope.transport = 'journal-short-iso';
  envelope.time = isoFromMicros(`${unix[1]}${unix[2]}`);
  envelope.timeMs = Number(unix[1]) * 1000;
  return envelope;
}

/** RFC 3164 / `journalctl` short: `Nov 25 16:58:01[.frac] host tag[pid]: msg`, month possibly localized. */
function parseSyslog3164(line: string, context: EnvelopeContext): Envelope | null {
  const cached = context.lastStamp;
  if (cached && line.startsWith(cached.text) && line.charCodeAt(cached.text.length) === 32) {
    return syslogEnvelope(line, cached.text.length + 1, cached.time, cached.timeMs, context);
  }
  const monthEnd = indexWithin(line, 32 /* space */, 12);
  if (monthEnd < 2) return null;
  let at = monthEnd;
  while (line.charCodeAt(at) === 32) at++;
  const dayStart = at;
  while (isDigit(line.charCodeAt(at))) at++;
  if (at === dayStart || at - dayStart > 2 || line.charCodeAt(at) !== 32) return null;
  const day = integerIn(line, dayStart, at);
  if (day < 1 || day > 31) return null;
  at++;
  if (!isClockAt(line, at)) return null;
  const clockAt = at;
  const clock = line.slice(at, at + 8);
  at += 8;
  let fraction: string | undefined;
  if (line.charCodeAt(at) === 46 /* . */) {
    const fractionStart = at + 1;
    at = fractionStart;
    while (isDigit(line.charCodeAt(at))) at++;
    fraction = line.slice(fractionStart, at);
  }
  if (line.charCodeAt(at) !== 32) return null;
  // The month is looked up last: most lines that reach this reader are no syslog line, and fail sooner.
  const month =
    monthEnd === 3
      ? (englishMonthAt(line) ?? monthNumber(line.slice(0, 3)))
      : monthNumber(line.slice(0, monthEnd));
  if (!month) return null;
  const date = dayStamp(month, day, context.referenceDate, context.lastDay);
  context.lastDay = date;
  // localIso(year, month, day, clock, fraction) and localMs(year, month, day, clock), the date part kept.
  const time = `${date.isoDate}${clock}${fraction ? `.${fraction}` : ''}`;
  const timeMs = msOnDay(date, line, clockAt);
  const envelope = syslogEnvelope(line, at + 1, time, timeMs, context);
  if (envelope) context.lastStamp = { text: line.slice(0, at), time, timeMs };
  return envelope;
}

function syslogEnvelope(
  line: string,
  at: number,
  time: string,
  timeMs: number,
  context: EnvelopeContext,
): Envelope | null {
  const envelope = parseHostAndTag(line, at, context);
  if (!envelope) return null;
  envelope.transport = 'rfc3164';
  envelope.time = time;
  envelope.timeMs = timeMs;
  return envelope;
}

/** What ends a syslog tag: a colon, a bracket, or whitespace (as a regex's `\s` reads it). */
function isTagEnd(c: number): boolean {
  return c === 58 /* : */ || c === 91 /* [ */ || c === 93 /* ] */ || isWhitespace(c) || Number.isNaN(c);
}

/** `host tag[pid]: msg` from `start` on, after a syslog time; the kernel's own `[ 123.456]` stamp may follow the tag. */
function parseHostAndTag(line: string, start: number, context: EnvelopeContext): Envelope | null {
  const hostEnd = line.indexOf(' ', start);
  if (hostEnd <= start) return null;
  const envelope = emptyEnvelope('rfc3164', '');
  envelope.host = hostAt(line, start, hostEnd, context);
  const bodyStart = hostEnd + 1;
  // The commonest tag, read at once: what `syslogTagEnd` and the name's scan below make of `kernel: `.
  if (line.startsWith('kernel: ', bodyStart)) {
    envelope.program = 'kernel';
    return withKernelStampFrom(envelope, line, bodyStart + 8);
  }
  const tagEnd = syslogTagEnd(line, bodyStart);
  if (tagEnd < 0) return withKernelStampFrom(envelope, line, bodyStart);
  let nameEnd = bodyStart;
  while (!isTagEnd(line.charCodeAt(nameEnd))) nameEnd++;
  envelope.program =
    nameEnd - bodyStart === 6 && line.startsWith('kernel', bodyStart)
      ? 'kernel'
      : line.slice(bodyStart, nameEnd);
  return withKernelStampFrom(envelope, line, tagEnd);
}

/** The host name `line[start, end)`, as the same string as the last one when it repeats. */
function hostAt(line: string, start: number, end: number, context: EnvelopeContext): string {
  const last = context.lastHost;
  if (last !== undefined && last.length === end - start && line.startsWith(last, start)) return last;
  const host = line.slice(start, end);
  context.lastHost = host;
  return host;
}

/**
 * Where the message starts after a syslog tag at `start` (`tag: `, `tag[pid]: `, `tag:`), or -1 when there is
 * none: the tag is 1-64 characters other than whitespace, brackets and colons.
 */
function syslogTagEnd(line: string, start: number): number {
  const limit = Math.min(line.length, start + 64);
  let at = start;
  while (at < limit && !isTagEnd(line.charCodeAt(at))) at++;
  if (at === start) return -1;
  if (line.charCodeAt(at) === 91 /* [ */) {
    const pidEnd = digitsEnd(line, at + 1, 10);
    if (pidEnd === at + 1 || line.charCodeAt(pidEnd) !== 93) return -1;
    at = pidEnd + 1;
  }
  if (line.charCodeAt(at) !== 58 /* : */) return -1;
  return line.charCodeAt(at + 1) === 32 ? at + 2 : at + 1;
}

/**
 * A grep over several files prefixes `path:`, `path:123:` or `path-123-`; strip it and parse what follows. The
 * prefix must look like a file name (a `/` or a `.` in it, or a syslog file's name), and only the first few
 * separators are tried: kernel text such as `oom-kill:constraint=...` is full of `:` and `-` and is no grep output.
 */
function parseAfterGrepPrefix(line: string, context: EnvelopeContext): Envelope | null {
  const limit = Math.min(line.length, 512);
  let attempts = 0;
  let fileLike = false;
  for (let i = 1; i < limit && attempts < 3; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) return null;
    if (c === 47 /* / */ || c === 46 /* . */) fileLike = true;
    if (c !== 58 /* : */ && c !== 45 /* - */) continue;
    let next = i + 1;
    let digits = next;
    while (isDigit(line.charCodeAt(digits))) digits++;
    if (digits > next && line.charCodeAt(digits) === c) next = digits + 1;
    else if (c === 45) continue;
    if (!fileLike && !SYSLOG_FILE.test(line.slice(0, i))) continue;
    attempts++;
    const parsed = parseAt(line.slice(next), context);
    if (parsed) return parsed;
  }
  return null;
}

/** Like indexOf for one character, but looks at no more than `max` characters, so retries stay linear. */
function indexWithin(text: string, code: number, max: number): number {
  const end = Math.min(text.length, max + 1);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === code) return i;
  return -1;
}
