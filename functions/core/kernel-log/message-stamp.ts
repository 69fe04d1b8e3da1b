import type { Envelope } from './envelope';
import { digitsEnd, integerIn, isWhitespace } from './scan';
import type { LineOrigin, Transport } from './types';

/**
 * What every transport's reader shares: a blank envelope, and the kernel's own marks (its `[ 123.456]` stamp,
 * the printk caller id, a priority marker) stripped from the front of a message. Apart from `envelope.ts`, so
 * that the journald reader (`journal.ts`) uses them without the two files importing each other.
 */

export const PRIORITY = /^<(\d{1,3})>/;

/** An envelope of `transport` with nothing read yet but its body. */
export function emptyEnvelope(transport: Transport, body: string): Envelope {
  return {
    transport,
    origin: originOf(transport),
    host: null,
    program: null,
    time: null,
    timeMs: null,
    kernelTime: null,
    body,
  };
}

/** What a transport's format alone says about its writer; syslog and journal forms are refined where read. */
function originOf(transport: Transport): LineOrigin {
  switch (transport) {
    case 'dmesg':
    case 'dmesg-ctime':
    case 'dmesg-human':
    case 'dmesg-iso':
    case 'kmsg':
      return 'kernel-ring-buffer';
    case 'rfc3164':
    case 'rfc3339':
    case 'journal-short-iso':
      return 'syslog-tag';
    case 'journald-json':
      return 'journal-identifier';
    default:
      return 'text';
  }
}

/** Strip the kernel's `[ 123.456]` stamp, printk caller id and priority marker from a message. */
export function withKernelStamp(envelope: Envelope, body: string): Envelope {
  return withKernelStampFrom(envelope, body, 0);
}

/**
 * `withKernelStamp(envelope, line.slice(start))`, reading the marks in place so that the body is the one slice
 * taken (a syslog line's message, after its host and tag).
 */
export function withKernelStampFrom(envelope: Envelope, line: string, start: number): Envelope {
  if (line.charCodeAt(start) === 60 /* < */) {
    // A priority marker is rare here: read it the plain way.
    const text = stripPriorityAndCaller(start === 0 ? line : line.slice(start));
    const stampEnd = kernelStampEnd(text);
    if (stampEnd > 0) return withKernelStampEndingAt(envelope, text, 0, stampEnd);
    envelope.body = text;
    return envelope;
  }
  const at = afterCaller(line, start);
  const stampEnd = kernelStampEndAt(line, at);
  if (stampEnd > 0) return withKernelStampEndingAt(envelope, line, at, stampEnd);
  envelope.body = at === 0 ? line : line.slice(at);
  return envelope;
}

/**
 * `withKernelStamp` of `text.slice(at)`, which opens with the stamp `kernelStampEndAt` found ending at
 * `stampEnd`. Neither priority nor caller id can precede such a stamp (a caller id's bracket holds a letter where
 * the stamp's holds a digit), so only what follows it is stripped.
 */
export function withKernelStampEndingAt(
  envelope: Envelope,
  text: string,
  at: number,
  stampEnd: number,
): Envelope {
  envelope.kernelTime = kernelTimeIn(text, at, stampEnd);
  envelope.body = stripCallerFrom(text, stampEnd);
  return envelope;
}

/** The index after a leading `[  123.456789]` (1-10 digits, a dot, 1-9 digits), or -1. */
export function kernelStampEnd(text: string): number {
  return kernelStampEndAt(text, 0);
}

/** `kernelStampEnd(text.slice(start))`, as an index into `text`. */
export function kernelStampEndAt(text: string, start: number): number {
  if (text.charCodeAt(start) !== 91 /* [ */) return -1;
  let at = start + 1;
  while (isWhitespace(text.charCodeAt(at))) at++;
  const seconds = digitsEnd(text, at, 10);
  if (seconds === at || text.charCodeAt(seconds) !== 46 /* . */) return -1;
  const fraction = digitsEnd(text, seconds + 1, 9);
  if (fraction === seconds + 1 || text.charCodeAt(fraction) !== 93 /* ] */) return -1;
  return fraction + 1;
}

/** 10 ** n for the 1-9 fraction digits a stamp holds: exact doubles. */
const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * The seconds of the stamp at `at` that `kernelStampEndAt` found, read as the number its text spells: `Number`
 * of it, without the string. The digits without their dot make an integer N, and the stamp is N / 10 ** fraction
 * digits; while N is an exact double, the one correctly rounded division gives what `Number` gives.
 */
export function kernelTimeIn(text: string, at: number, stampEnd: number): number {
  let start = at + 1;
  while (isWhitespace(text.charCodeAt(start))) start++;
  const dot = digitsEnd(text, start, 10);
  const scale = POWERS_OF_TEN[stampEnd - 2 - dot] as number;
  const digits = integerIn(text, start, dot) * scale + integerIn(text, dot + 1, stampEnd - 1);
  if (digits > Number.MAX_SAFE_INTEGER) return Number(text.slice(start, stampEnd - 1));
  return digits / scale;
}

export function stripPriorityAndCaller(text: string): string {
  if (text.charCodeAt(0) !== 60 /* < */) return stripCaller(text);
  const priority = PRIORITY.exec(text);
  return stripCaller(priority ? text.slice(priority[0].length) : text);
}

export function stripCaller(text: string): string {
  return stripCallerFrom(text, 0);
}

/**
 * `stripCaller(text.slice(start))` with one slice at most: the caller id `^ ?\[\s*[TC]\d{1,10}\]` (printk's
 * `[T1234]`, `[C2]`) read in place, then the one space after it.
 */
export function stripCallerFrom(text: string, start: number): string {
  const at = afterCaller(text, start);
  return at === 0 ? text : text.slice(at);
}

/** The index after the caller id at `start` (if any) and the one space after it (if any). */
function afterCaller(text: string, start: number): number {
  const callerEnd = callerIdEnd(text, start);
  const at = callerEnd > 0 ? callerEnd : start;
  return text.charCodeAt(at) === 32 ? at + 1 : at;
}

/** The index after the caller id at `start`, or -1. */
function callerIdEnd(text: string, start: number): number {
  let at = text.charCodeAt(start) === 32 ? start + 1 : start;
  if (text.charCodeAt(at) !== 91 /* [ */) return -1;
  at++;
  while (isWhitespace(text.charCodeAt(at))) at++;
  const kind = text.charCodeAt(at);
  if (kind !== 84 /* T */ && kind !== 67 /* C */) return -1;
  const digits = digitsEnd(text, at + 1, 10);
  if (digits === at + 1 || text.charCodeAt(digits) !== 93 /* ] */) return -1;
  return digits + 1;
}
