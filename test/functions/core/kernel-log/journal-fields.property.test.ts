import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeFromJournalRecord } from '../../../../functions/core/kernel-log/envelope';

/**
 * `envelopeFromJournalRecord` reads a record's keys lower-cased and without leading underscores, the last key of
 * each name winning, and trusts `_TRANSPORT` / `_SYSTEMD_UNIT` only under those names. It once built a map of
 * every field for that; it now keeps only the fields it reads. This holds it to the map's answer: a record with
 * keys in any case and any number of underscores, repeated in any order, reads as its canonical form does (one
 * key per field, as the map resolved it).
 */
function canonical(record: Record<string, unknown>): Record<string, unknown> {
  const fields = new Map<string, unknown>();
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const name = key.toLowerCase();
    if (name === '_transport') out._transport = value;
    else if (name === '_systemd_unit') out._systemd_unit = value;
    fields.set(name.replace(/^_+/, ''), value);
  }
  // After the trusted keys, so that the plain names win as their last values did in the map.
  for (const [name, value] of fields) if (name !== '') out[name] = value;
  return out;
}

const NAMES = [
  'message',
  'transport',
  'systemd_unit',
  'syslog_identifier',
  'hostname',
  'syslog_facility',
  'realtime_timestamp',
  'source_monotonic_timestamp',
  'priority',
  '',
];

const keyArb = fc
  .tuple(fc.constantFrom(...NAMES), fc.nat({ max: 3 }), fc.array(fc.boolean(), { maxLength: 30 }))
  .map(
    ([name, underscores, upper]) =>
      `${'_'.repeat(underscores)}${[...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')}`,
  );

const valueArb = fc.oneof(
  fc.constantFrom('kernel', 'syslog', 'journal', 'systemd-oomd.service', '0', '3', '1795627850077199', ''),
  fc.constantFrom(
    'Out of memory: Killed process 4242 (java) total-vm:1kB, anon-rss:2kB, file-rss:0kB, shmem-rss:0kB',
    '[  123.456789] oom-kill:constraint=CONSTRAINT_NONE,task=java,pid=4242,uid=0',
    'java invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0',
  ),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }),
  fc.constant(null),
);

const recordArb = fc
  .array(fc.tuple(keyArb, valueArb), { maxLength: 14 })
  .map((entries) => Object.fromEntries(entries));

describe('a journal record reads as its canonical form does', () => {
  it('whatever the case, underscores, repetitions and order of its keys', () => {
    let envelopes = 0;
    fc.assert(
      fc.property(recordArb, (record) => {
        const envelope = envelopeFromJournalRecord(record);
        expect(envelope).toEqual(envelopeFromJournalRecord(canonical(record)));
        if (envelope) envelopes++;
      }),
      { numRuns: 5_000 },
    );
    // Many records hold a message and a transport, so the envelopes themselves were compared, not only nulls.
    expect(envelopes).toBeGreaterThan(500);
  });

  it('the last key of a name wins, and only _TRANSPORT proves the kernel transport', () => {
    const envelope = envelopeFromJournalRecord({
      HOSTNAME: 'first',
      _TRANSPORT: 'kernel',
      MESSAGE: 'x',
      __hostname: 'second',
      transport: 'kernel',
    });
    expect(envelope?.host).toBe('second');
    expect(envelope?.origin).toBe('journal-kernel-transport');
    expect(envelopeFromJournalRecord({ MESSAGE: 'x', TRANSPORT: 'kernel' })?.origin).toBe(
      'journal-identifier',
    );
  });
});
