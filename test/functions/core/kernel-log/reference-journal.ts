import type { Envelope } from '../../../../functions/core/kernel-log/envelope';
import { emptyEnvelope, withKernelStamp } from '../../../../functions/core/kernel-log/message-stamp';
import type { LineOrigin } from '../../../../functions/core/kernel-log/types';

/*
 * The straightforward first versions of the journald readers: a map of every field of the record (keys
 * lower-cased, leading underscores stripped by a regex, the last key of a name winning), and a Date spelled for
 * every realtime stamp. The shipped readers keep only the fields they read, read flat journald lines without
 * `JSON.parse`, and remember the last second's text; tests require the same answers from both.
 */

export function referenceJournalEnvelope(record: Record<string, unknown>): Envelope | null {
  const fields = new Map<string, unknown>();
  let trustedTransport: string | null = null;
  let trustedUnit: string | null = null;
  for (const [key, value] of Object.entries(record)) {
    const name = key.toLowerCase();
    if (name === '_transport') trustedTransport = journalText(value);
    else if (name === '_systemd_unit') trustedUnit = journalText(value);
    fields.set(name.replace(/^_+/, ''), value);
  }
  const message = journalText(fields.get('message'));
  const transport = journalText(fields.get('transport'));
  if (message === null || transport === null) return null;
  const identifier = journalText(fields.get('syslog_identifier'));
  const envelope = withKernelStamp(emptyEnvelope('journald-json', message), message);
  envelope.host = journalText(fields.get('hostname'));
  envelope.program = transport === 'kernel' ? 'kernel' : (identifier ?? '');
  envelope.origin = journalOrigin(trustedTransport, trustedUnit, journalText(fields.get('syslog_facility')));
  const realtime = journalText(fields.get('realtime_timestamp'));
  if (realtime) {
    envelope.time = referenceIsoFromMicros(realtime);
    envelope.timeMs = envelope.time ? Math.floor(Number(realtime) / 1000) : null;
  }
  const monotonic = journalText(fields.get('source_monotonic_timestamp'));
  if (envelope.kernelTime === null && monotonic && /^\d{1,20}$/.test(monotonic) && transport === 'kernel') {
    envelope.kernelTime = Number(monotonic) / 1_000_000;
  }
  return envelope;
}

export function referenceIsoFromMicros(micros: string): string | null {
  if (!/^\d{1,19}$/.test(micros)) return null;
  const ms = Number(micros.slice(0, -3) || '0');
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  const micro = micros.slice(-6).padStart(6, '0');
  return `${iso.slice(0, 19)}.${micro}Z`;
}

function journalOrigin(transport: string | null, unit: string | null, facility: string | null): LineOrigin {
  if (transport === 'kernel') {
    return facility === null || facility === '0' ? 'journal-kernel-transport' : 'ring-buffer-user-facility';
  }
  if (unit === 'systemd-oomd.service') return 'systemd-oomd-journal';
  return 'journal-identifier';
}

function journalText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.every((b) => typeof b === 'number')) {
    return Buffer.from(value as number[]).toString('utf8');
  }
  return null;
}
