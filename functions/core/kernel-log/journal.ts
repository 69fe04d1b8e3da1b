import type { Envelope } from './envelope';
import { emptyEnvelope, withKernelStamp } from './message-stamp';
import { isoFromMicros } from './time';
import type { LineOrigin } from './types';

/**
 * journald JSON (`journalctl -o json`), also as Fluent Bit writes it (lower-case keys, or no underscores).
 *
 * A record's keys are read lower-cased and without leading underscores, the last key of each name winning. Only
 * fields whose names start with an underscore are trusted: journald sets them from the sender's credentials and
 * drops any a client sends (systemd.journal-fields(7), "Trusted journal fields"). So the kernel transport is
 * proven by `_TRANSPORT=kernel` alone; a `TRANSPORT` or `SYSLOG_IDENTIFIER` any sender can set.
 */

/** The fields of one record the envelope reads, gathered key by key (`journalFieldOf`, `setJournalFields`). */
export interface JournalFields {
  message: unknown;
  transport: unknown;
  identifier: unknown;
  hostname: unknown;
  facility: unknown;
  realtime: unknown;
  monotonic: unknown;
  /** `_TRANSPORT`'s text (exactly one underscore, any case), the only transport the journal vouches for. */
  trustedTransport: string | null;
  /** `_SYSTEMD_UNIT`'s text. */
  trustedUnit: string | null;
}

/** A record with none of the fields read yet. */
export function noJournalFields(): JournalFields {
  return {
    message: undefined,
    transport: undefined,
    identifier: undefined,
    hostname: undefined,
    facility: undefined,
    realtime: undefined,
    monotonic: undefined,
    trustedTransport: null,
    trustedUnit: null,
  };
}

/** Bits of `journalFieldOf`'s answer: which of the fields a key names. */
export const FIELD = {
  message: 1,
  transport: 2,
  identifier: 4,
  hostname: 8,
  facility: 16,
  realtime: 32,
  monotonic: 64,
  trustedTransport: 128,
  trustedUnit: 256,
} as const;

/**
 * Which fields the key `key[start, end)` (the whole of `key` by default) names: bits of `FIELD`, 0 for a key the
 * envelope does not read. Keys are compared without lower-casing them: ASCII letters are folded, and no other
 * character lower-cases into a letter of these names (only U+212A KELVIN SIGN lower-cases to an ASCII letter,
 * `k`, which none of them holds), nor into an underscore.
 */
export function journalFieldOf(key: string, start = 0, end = key.length): number {
  let at = start;
  while (at < end && key.charCodeAt(at) === 95 /* _ */) at++;
  const underscores = at - start;
  switch (end - at) {
    case 7:
      return isName(key, at, 'message') ? FIELD.message : 0;
    case 8:
      return isName(key, at, 'hostname') ? FIELD.hostname : 0;
    case 9:
      if (!isName(key, at, 'transport')) return 0;
      return underscores === 1 ? FIELD.transport | FIELD.trustedTransport : FIELD.transport;
    case 12:
      return underscores === 1 && isName(key, at, 'systemd_unit') ? FIELD.trustedUnit : 0;
    case 15:
      return isName(key, at, 'syslog_facility') ? FIELD.facility : 0;
    case 17:
      return isName(key, at, 'syslog_identifier') ? FIELD.identifier : 0;
    case 18:
      return isName(key, at, 'realtime_timestamp') ? FIELD.realtime : 0;
    case 26:
      return isName(key, at, 'source_monotonic_timestamp') ? FIELD.monotonic : 0;
    default:
      return 0;
  }
}

/** Set the fields `bits` (from `journalFieldOf`) names to `value`. */
export function setJournalFields(fields: JournalFields, bits: number, value: unknown): void {
  if (bits & FIELD.message) fields.message = value;
  if (bits & FIELD.transport) fields.transport = value;
  if (bits & FIELD.identifier) fields.identifier = value;
  if (bits & FIELD.hostname) fields.hostname = value;
  if (bits & FIELD.facility) fields.facility = value;
  if (bits & FIELD.realtime) fields.realtime = value;
  if (bits & FIELD.monotonic) fields.monotonic = value;
  if (bits & FIELD.trustedTransport) fields.trustedTransport = journalText(value);
  if (bits & FIELD.trustedUnit) fields.trustedUnit = journalText(value);
}

/** Whether `text` holds `name` (lower case) at `at`, ASCII letters compared in either case. */
function isName(text: string, at: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    let c = text.charCodeAt(at + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== name.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * A journal record's envelope. A JSON object without a transport field is an application's structured log, not
 * a journal entry: null.
 */
export function envelopeFromJournalRecord(record: Record<string, unknown>): Envelope | null {
  const fields = noJournalFields();
  for (const key of Object.keys(record)) {
    const bits = journalFieldOf(key);
    if (bits !== 0) setJournalFields(fields, bits, record[key]);
  }
  return journalEnvelope(fields);
}

/** The envelope of a record read into `fields`, or null when it holds no message or no transport. */
export function journalEnvelope(fields: JournalFields): Envelope | null {
  const message = journalText(fields.message);
  const transport = journalText(fields.transport);
  if (message === null || transport === null) return null;
  const identifier = journalText(fields.identifier);
  const envelope = withKernelStamp(emptyEnvelope('journald-json', message), message);
  envelope.host = journalText(fields.hostname);
  // An entry of another transport that names no program is no kernel line either: '' is "some program".
  envelope.program = transport === 'kernel' ? 'kernel' : (identifier ?? '');
  envelope.origin = journalOrigin(fields.trustedTransport, fields.trustedUnit, journalText(fields.facility));
  const realtime = journalText(fields.realtime);
  if (realtime) {
    envelope.time = isoFromMicros(realtime);
    envelope.timeMs = envelope.time ? Math.floor(Number(realtime) / 1000) : null;
  }
  const monotonic = journalText(fields.monotonic);
  if (envelope.kernelTime === null && monotonic && /^\d{1,20}$/.test(monotonic) && transport === 'kernel') {
    envelope.kernelTime = Number(monotonic) / 1_000_000;
  }
  return envelope;
}

/**
 * The origin of a journal entry from its trusted fields. journald reads `/dev/kmsg` into the kernel transport,
 * user-space writes to it included; those keep the facility their writer gave, never 0 (see `withFacility`).
 */
function journalOrigin(transport: string | null, unit: string | null, facility: string | null): LineOrigin {
  if (transport === 'kernel') {
    return facility === null || facility === '0' ? 'journal-kernel-transport' : 'ring-buffer-user-facility';
  }
  if (unit === 'systemd-oomd.service') return 'systemd-oomd-journal';
  return 'journal-identifier';
}

/** journald fields are strings, or arrays of bytes when the value is not valid UTF-8. */
function journalText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.every((b) => typeof b === 'number')) {
    return Buffer.from(value as number[]).toString('utf8');
  }
  return null;
}
