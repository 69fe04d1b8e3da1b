import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../../../functions/core/kernel-log/envelope';
import { envelopeFromJournalRecord, journalEnvelope } from '../../../../functions/core/kernel-log/journal';
import { readFlatJournalLine } from '../../../../functions/core/kernel-log/journal-line';
import { parseKernelLog } from '../../../../functions/core/kernel-log/parser';
import { isoFromMicros } from '../../../../functions/core/kernel-log/time';
import { CORPUS_REFERENCE_DATE, corpusSamples } from '../../../support/corpus';
import { referenceIsoFromMicros, referenceJournalEnvelope } from './reference-journal';

/**
 * The parser reads a flat journald line in place (`journal-line.ts`) instead of `JSON.parse` and the record
 * reader. Wherever it accepts a line, the line must be JSON, not a document of another kind, and give the
 * envelope the first record reader (`reference-journal.ts`) gives the parsed object; the record reader itself
 * must agree with that reference on every object.
 */
function checkLine(line: string): boolean {
  let parsed: unknown;
  let json = true;
  try {
    parsed = JSON.parse(line);
  } catch {
    json = false;
  }
  const record =
    json && typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  if (record) expect(envelopeFromJournalRecord(record)).toEqual(referenceJournalEnvelope(record));
  const flat = readFlatJournalLine(line);
  if (flat === null) return false;
  if (!record) return expect.fail(`accepted a line JSON.parse does not read as an object: ${line}`);
  for (const key of ['awslogs', 'logEvents', 'events']) expect(key in record).toBe(false);
  expect(journalEnvelope(flat)).toEqual(referenceJournalEnvelope(record));
  return true;
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

const keyArb = fc.oneof(
  // Keys repeated exactly, around a variant of the same name: JSON.parse keeps the last value at the first place.
  { weight: 4, arbitrary: fc.constantFrom('MESSAGE', 'message', '_TRANSPORT', 'TRANSPORT', '_HOSTNAME') },
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(...NAMES), fc.nat({ max: 3 }), fc.array(fc.boolean(), { maxLength: 30 }))
      .map(
        ([name, underscores, upper]) =>
          `${'_'.repeat(underscores)}${[...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')}`,
      ),
  },
  fc.constantFrom(
    'awslogs',
    'logEvents',
    'events',
    'messageType',
    '__proto__',
    '0',
    '12',
    'HOST\u212aNAME',
    '_TRANSPORT\\u0000',
  ),
  fc.string({ maxLength: 6 }),
);

const textArb = fc.oneof(
  fc.constantFrom(
    'kernel',
    'syslog',
    'systemd-oomd.service',
    '0',
    '3',
    '1795627850077199',
    '1795627850999999',
    '8640000000000000999',
    '',
    'Out of memory: Killed process 4242 (java) total-vm:1kB, anon-rss:2kB, file-rss:0kB, shmem-rss:0kB',
    '[  123.456789] oom-kill:constraint=CONSTRAINT_NONE,task=java,pid=4242,uid=0',
    'a "quoted" \\ path\t\n',
    '\u0000\u001f\u007f\ud800 é 二',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

/** A value as JSON text: usually a string, sometimes another JSON value, sometimes raw (invalid) text. */
const plainTextArb = fc.string({
  unit: fc.constantFrom('a', 'K', ' ', 'é', '二', '[', ']', '1', ':', '{', ','),
  maxLength: 12,
});

const valueArb = fc.oneof(
  { weight: 30, arbitrary: plainTextArb.map((text) => JSON.stringify(text)) },
  { weight: 8, arbitrary: textArb.map((text) => JSON.stringify(text)) },
  fc.constantFrom('6', '-1.5e3', 'null', 'true', '[1,2]', '{"a":"b"}', '[]', '{}'),
  textArb.map((text) => `"${text}"`),
);

const spaceArb = fc.oneof(
  { weight: 20, arbitrary: fc.constant('') },
  { weight: 4, arbitrary: fc.constant(' ') },
  fc.constantFrom('  ', '\t', '\n', '\r'),
);

const lineArb = fc
  .tuple(
    fc.array(fc.tuple(keyArb, spaceArb, spaceArb, valueArb, spaceArb), { maxLength: 8 }),
    spaceArb,
    fc.oneof({ weight: 12, arbitrary: fc.constant('') }, fc.constantFrom(' ', 'x', ',', '}', '\u00a0', '\n')),
  )
  .map(
    ([entries, space, tail]) =>
      `{${space}${entries.map(([key, a, b, value, c]) => `${JSON.stringify(key)}${a}:${b}${value}${c}`).join(',')}}${tail}`,
  );

describe('a flat journald line read in place gives the envelope JSON.parse and the record reader give', () => {
  it('on generated lines: any keys, values, whitespace, repetitions, escapes and trailing text', () => {
    let accepted = 0;
    fc.assert(
      fc.property(lineArb, (line) => {
        if (checkLine(line)) accepted++;
      }),
      { numRuns: 20_000 },
    );
    // Many lines are of the fast shape, so the envelopes were compared, not only refusals.
    expect(accepted).toBeGreaterThan(2_000);
  });

  it('on every line of every real report, as journald would print it, and on the captured journald lines', () => {
    let accepted = 0;
    let lines = 0;
    for (const sample of corpusSamples()) {
      for (const line of readFileSync(sample.logPath, 'utf8').split('\n')) {
        lines++;
        if (line.startsWith('{') && checkLine(line)) accepted++;
        for (const record of journaldRecords(line, lines)) if (checkLine(record)) accepted++;
      }
    }
    expect(lines).toBeGreaterThan(5_000);
    expect(accepted).toBeGreaterThan(lines);
  });

  it('so the parser finds the same kills in every report whether or not it takes the fast reading', () => {
    let kills = 0;
    for (const sample of corpusSamples()) {
      const lines = readFileSync(sample.logPath, 'utf8').split('\n');
      const fast = lines.map((line, i) => journaldRecords(line, i)[0] ?? '').join('\n');
      // A backslash in a field the envelope does not read sends every line down the general path.
      const general = fast.replace(/^\{/gm, '{"X":"\\u0041",');
      const found = parseKernelLog(fast, { referenceDate: CORPUS_REFERENCE_DATE });
      expect(found).toEqual(parseKernelLog(general, { referenceDate: CORPUS_REFERENCE_DATE }));
      kills += found.length;
    }
    expect(kills).toBeGreaterThan(100);
  });
});

/** The kernel message of a fixture line as `journalctl -o json` and Fluent Bit would print it. */
function journaldRecords(line: string, i: number): string[] {
  const envelope = parseEnvelope(line, { referenceDate: CORPUS_REFERENCE_DATE });
  const realtime = String(1795627850000000 + i * 1234);
  return [
    JSON.stringify({
      MESSAGE: envelope.body,
      _HOSTNAME: envelope.host ?? 'vm',
      _TRANSPORT: 'kernel',
      SYSLOG_IDENTIFIER: 'kernel',
      __REALTIME_TIMESTAMP: realtime,
      PRIORITY: '6',
    }),
    JSON.stringify({ message: envelope.body, hostname: 'vm', transport: 'syslog', syslog_identifier: 'app' }),
    JSON.stringify({ MESSAGE: envelope.body, _TRANSPORT: 'kernel', SYSLOG_FACILITY: '1' }),
  ];
}

describe('isoFromMicros, which remembers the last second it spelled', () => {
  const micros = fc.oneof(
    fc.stringMatching(/^\d{1,20}$/),
    fc.bigInt({ min: 0n, max: 9_999_999_999_999_999_999n }).map(String),
    fc.bigInt({ min: 8_639_999_990_000_000_000n, max: 8_640_000_001_000_000_000n }).map(String),
    fc.constantFrom('', '12a', '-1', '1.5', ' 1', '1795627850077199', '01795627850077199'),
    // Date's last second: its first millisecond is a valid time, the rest are not.
    fc.constantFrom(
      '8640000000000000000',
      '8640000000000000999',
      '8639999999999999999',
      '8639999999000000000',
    ),
  );

  it('spells every stamp as a Date spelled for each would, in any order of seconds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(micros, fc.constantFrom(0, 1, 999, 1000, 1001, 999_999, 1_000_000, 1_234_567)), {
          maxLength: 20,
        }),
        (stamps) => {
          for (const [stamp, step] of stamps) {
            expect(isoFromMicros(stamp)).toBe(referenceIsoFromMicros(stamp));
            // The next second, or the same one: the remembered text is tried on both.
            if (/^\d{1,19}$/.test(stamp)) {
              const next = String(BigInt(stamp) + BigInt(step));
              expect(isoFromMicros(next)).toBe(referenceIsoFromMicros(next));
            }
          }
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it("reads no invalid time in the last second of Date's range as its first, valid, millisecond", () => {
    const first = referenceIsoFromMicros('8640000000000000000');
    expect(first).not.toBeNull();
    expect(isoFromMicros('8640000000000000000')).toBe(first);
    expect(referenceIsoFromMicros('8640000000000001000')).toBeNull();
    expect(isoFromMicros('8640000000000001000')).toBeNull();
  });
});
