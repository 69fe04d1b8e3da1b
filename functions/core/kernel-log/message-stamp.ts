import type { Envelope } from './envelope';
import { digitsEnd, isWhitespace } from './scan';
import type { LineOrigin, Transport } from './types';

/**
 * What every transport's reader shares: a blank envelope, and the kernel's own marks (its `[ 123.456]` stamp,
 * the printk caller id, a priority marker) stripped from the front of a message. Apart from `envelope.ts`, so
 * that the journald reader (`journal.ts`) uses them without the two files importing each other.
 */

const CALLER_ID = /^ ?\[\s*[TC]\d{1,10}\]/;
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
  let text = stripPriorityAndCaller(body);
  const stampEnd = kernelStampEnd(text);
  if (stampEnd > 0) {
    envelope.kernelTime = kernelTimeIn(text, stampEnd);
    text = stripCaller(text.slice(stampEnd));
  }
  envelope.body = text;
  return envelope;
}

/** The index after a leading `[  123.456789]` (1-10 digits, a dot, 1-9 digits), or -1. */
export function kernelStampEnd(text: string): number {
  if (text.charCodeAt(0) !== 91 /* [ */) return -1;
  let at = 1;
  while (isWhitespace(text.charCodeAt(at))) at++;
  const seconds = digitsEnd(text, at, 10);
  if (seconds === at || text.charCodeAt(seconds) !== 46 /* . */) return -1;
  const fraction = digitsEnd(text, seconds + 1, 9);
  if (fraction === seconds + 1 || text.charCodeAt(fraction) !== 93 /* ] */) return -1;
  return fraction + 1;
}

/** The seconds of the stamp `kernelStampEnd` found, read as the number its text spells. */
function kernelTimeIn(text: string, stampEnd: number): number {
  let start = 1;
  while (isWhitespace(text.charCodeAt(start))) start++;
  return Number(text.slice(start, stampEnd - 1));
}

export function stripPriorityAndCaller(text: string): string {
  if (text.charCodeAt(0) !== 60 /* < */) return stripCaller(text);
  const priority = PRIORITY.exec(text);
  return stripCaller(priority ? text.slice(priority[0].length) : text);
}

export function stripCaller(text: string): string {
  const first = text.charCodeAt(0);
  let rest = text;
  // A caller id (`[T1234]`, `[C2]`) is rare: look for it only where a bracket opens the text.
  if (first === 91 /* [ */ || (first === 32 && text.charCodeAt(1) === 91)) {
    const caller = CALLER_ID.exec(text);
    if (caller) rest = text.slice(caller[0].length);
  }
  return rest.charCodeAt(0) === 32 ? rest.slice(1) : rest;
}
