import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoStampMs, readIsoStamp } from '../../../../functions/core/kernel-log/iso-stamp';
import { corpusSamples } from '../../../support/corpus';

/*
 * The in-place ISO stamp reader against what it replaced in envelope.ts's parseNumeric: the pattern, and
 * Date.parse of the stamp rewritten by two replaces. The old code is kept here as the specification.
 */

const ISO_STAMP = /^(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d)([.,]\d{1,9})?(Z|[+-]\d\d:?\d\d)?(?= )/;

/** What the pattern's groups said: the stamp's end, where its fraction and offset start (or -1). */
function referenceStamp(line: string): { end: number; fractionAt: number; offsetAt: number } | null {
  const match = ISO_STAMP.exec(line);
  if (!match) return null;
  const fraction = match[5];
  const offset = match[6];
  return {
    end: match[0].length,
    fractionAt: fraction ? 19 : -1,
    offsetAt: offset ? match[0].length - offset.length : -1,
  };
}

function referenceMs(line: string): number | null {
  const match = ISO_STAMP.exec(line);
  if (!match) throw new Error('no stamp');
  const [stamp, , , , , , offset] = match;
  const timeMs = Date.parse(
    offset ? stamp.replace(',', '.').replace(/([+-]\d\d)(\d\d)$/, '$1:$2') : `${stamp.replace(',', '.')}Z`,
  );
  return Number.isNaN(timeMs) ? null : timeMs;
}

const twoDigits = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
/** Mostly ordinary values, with every two-digit value possible (month 13, day 31 of April, hour 24, second 60). */
const field = (low: number, high: number) =>
  fc.oneof(
    fc.integer({ min: low, max: high }).map((n) => String(n).padStart(2, '0')),
    twoDigits,
  );
const year = fc.oneof(
  fc.integer({ min: 1900, max: 2100 }),
  fc.integer({ min: 0, max: 9999 }),
  fc.constantFrom(0, 99, 100, 1600, 1900, 2000, 2024, 2100, 9999),
);
const fraction = fc.oneof(
  fc.constant(''),
  fc
    .tuple(fc.constantFrom('.', ','), fc.stringMatching(/^\d{0,11}$/))
    .map(([mark, digits]) => `${mark}${digits}`),
);
const offset = fc.oneof(
  fc.constantFrom('', 'Z', 'z', '+', '-', '+0', '+00:', '+00:0', '+000', 'ZZ'),
  fc
    .tuple(fc.constantFrom('+', '-'), field(0, 23), fc.constantFrom(':', ''), field(0, 59))
    .map((parts) => parts.join('')),
);
const stampLine = fc
  .tuple(
    year,
    field(1, 12),
    field(1, 31),
    field(0, 23),
    field(0, 59),
    field(0, 59),
    fraction,
    offset,
    fc.constantFrom(' host kernel: x', ' ', '', 'x', '0', ':', '\t'),
  )
  .map(
    ([y, mo, d, h, mi, s, frac, off, after]) =>
      `${String(y).padStart(4, '0')}-${mo}-${d}T${h}:${mi}:${s}${frac}${off}${after}`,
  );

/** Real lines and pieces of stamps, cut and joined anyhow: the reader must refuse what the pattern refuses. */
const mangledLine = fc
  .array(
    fc.constantFrom('2026', '-', '11', '25', 'T', '16:58:01', ':', '.', ',', '123', 'Z', '+', ' ', 'x', '5'),
    {
      maxLength: 14,
    },
  )
  .map((pieces) => pieces.join(''));

/** A generated stamp with one character changed: each place of the stamp's shape must be checked. */
const alteredLine = fc
  .tuple(
    stampLine,
    fc.nat(40),
    fc.constantFrom('0', '9', 'a', 'T', ':', '-', ' ', '.', ',', '+', 'Z', '\u0660'),
  )
  .map(
    ([line, at, c]) =>
      `${line.slice(0, at % (line.length + 1))}${c}${line.slice((at % (line.length + 1)) + 1)}`,
  );

const corpusLines = corpusSamples().flatMap((sample) => readFileSync(sample.logPath, 'utf8').split('\n'));

describe('readIsoStamp', () => {
  it('finds what the ISO pattern found on generated stamps', () => {
    fc.assert(
      fc.property(fc.oneof(stampLine, alteredLine, mangledLine, fc.string()), (line) => {
        expect(readIsoStamp(line)).toEqual(referenceStamp(line));
      }),
      { numRuns: 20_000 },
    );
  });

  it('finds what the ISO pattern found on every corpus line', () => {
    const stamped = corpusLines.filter((line) => referenceStamp(line) !== null);
    expect(stamped.length).toBeGreaterThan(50);
    for (const line of corpusLines) expect(readIsoStamp(line)).toEqual(referenceStamp(line));
  });
});

describe('isoStampMs', () => {
  it('gives what Date.parse of the rewritten stamp gave, valid or not', () => {
    fc.assert(
      fc.property(stampLine, (line) => {
        const stamp = readIsoStamp(line);
        fc.pre(stamp !== null);
        if (stamp) expect(isoStampMs(line, stamp)).toBe(referenceMs(line));
      }),
      { numRuns: 50_000 },
    );
  });

  it('gives what Date.parse gave on the edges of every field', () => {
    const edges = [
      '2024-02-29T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '2000-02-29T23:59:59.999Z',
      '2026-04-31T12:00:00+02:00',
      '2026-11-25T24:00:00Z',
      '2026-11-25T24:00:00.000+01:00',
      '2026-11-25T16:58:60Z',
      '2026-11-25T16:58:01+24:00',
      '2026-11-25T16:58:01-2359',
      '2026-11-25T16:58:01.1-00:00',
      '0099-12-31T23:59:59Z',
      '0100-01-01T00:00:00Z',
      '1969-12-31T23:59:59.999999999Z',
      '9999-12-31T23:59:59.999-00:01',
      '2026-00-25T16:58:01Z',
    ];
    for (const stamp of edges) {
      const line = `${stamp} host kernel: x`;
      const read = readIsoStamp(line);
      expect(read).not.toBeNull();
      if (read) expect(isoStampMs(line, read), stamp).toBe(referenceMs(line));
    }
  });

  it('gives what Date.parse gave on every corpus line with a stamp', () => {
    for (const line of corpusLines) {
      const stamp = readIsoStamp(line);
      if (stamp) expect(isoStampMs(line, stamp)).toBe(referenceMs(line));
    }
  });
});
