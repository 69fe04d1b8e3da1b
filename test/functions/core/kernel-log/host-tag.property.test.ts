import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Envelope, parseEnvelope } from '../../../../functions/core/kernel-log/envelope';
import { emptyEnvelope, withKernelStampFrom } from '../../../../functions/core/kernel-log/message-stamp';
import { corpusSamples } from '../../../support/corpus';

/*
 * A syslog line's host and tag (envelope.ts's parseHostAndTag, with its shortcut for `kernel: `) against the
 * syslog tag as a pattern: 1-64 characters other than whitespace, brackets and colons, an optional `[pid]`, a
 * colon and at most one space; the kernel's marks are then read from where the message starts.
 */

const TAG = /^([^\s:[\]]{1,64})(?:\[\d{1,10}\])?: ?/;

function referenceHostAndTag(line: string, start: number): Envelope | null {
  const hostEnd = line.indexOf(' ', start);
  if (hostEnd <= start) return null;
  const envelope = emptyEnvelope('rfc3164', '');
  envelope.host = line.slice(start, hostEnd);
  const tag = TAG.exec(line.slice(hostEnd + 1));
  if (!tag) return withKernelStampFrom(envelope, line, hostEnd + 1);
  envelope.program = tag[1] ?? null;
  return withKernelStampFrom(envelope, line, hostEnd + 1 + tag[0].length);
}

/** What the host and tag decide in an envelope. */
const decided = (envelope: Envelope | null) =>
  envelope && {
    host: envelope.host,
    program: envelope.program,
    body: envelope.body,
    kernelTime: envelope.kernelTime,
  };

const STAMPS = ['2026-11-25T16:58:01.123456+00:00 ', 'Nov 25 16:58:01 '];
const piece = fc.constantFrom(
  'kernel',
  'kernel:',
  'kernel: ',
  ': ',
  ':',
  ' ',
  '  ',
  '\t',
  '[12]',
  '[',
  ']',
  'x',
  'systemd-oomd',
  'k'.repeat(58),
  '[ 123.456] ',
  '[T12] ',
  '<6>',
  'Out of memory',
);
const syslogLine = fc
  .tuple(
    fc.constantFrom(...STAMPS),
    fc.constantFrom('host', 'ip-10-0-1-7', ''),
    fc.array(piece, { maxLength: 8 }),
  )
  .map(([stamp, host, pieces]) => ({ stamp, line: `${stamp}${host} ${pieces.join('')}` }));

/** An RFC 3164 stamp, month possibly localized: `Nov  5 16:58:01.123 `. */
const SYSLOG_STAMP = /^\S+ +\d{1,2} \d\d:\d\d:\d\d(?:\.\d*)? /;

const corpusLines = corpusSamples().flatMap((sample) => readFileSync(sample.logPath, 'utf8').split('\n'));

describe('a syslog line host and tag', () => {
  it('are read as the tag pattern reads them, on generated lines', () => {
    fc.assert(
      fc.property(syslogLine, ({ stamp, line }) => {
        const context = { referenceDate: new Date('2026-11-25T23:59:59Z') };
        const envelope = parseEnvelope(line, context);
        const reference = referenceHostAndTag(line, stamp.length);
        // A line the syslog readers refuse is read as some other transport: only theirs are compared.
        if (envelope.transport === 'rfc3339' || envelope.transport === 'rfc3164') {
          expect(decided(envelope)).toEqual(decided(reference));
        } else {
          expect(reference).toBeNull();
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('are read as the tag pattern reads them, on every syslog line of the corpus', () => {
    const context = { referenceDate: new Date('2026-11-25T23:59:59Z') };
    let compared = 0;
    for (const line of corpusLines) {
      const envelope = parseEnvelope(line, context);
      if (envelope.transport !== 'rfc3339' && envelope.transport !== 'rfc3164') continue;
      const stamp = (envelope.transport === 'rfc3339' ? /^\S+ / : SYSLOG_STAMP).exec(line);
      expect(stamp).not.toBeNull();
      expect(decided(envelope)).toEqual(decided(referenceHostAndTag(line, stamp?.[0].length ?? 0)));
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });
});
