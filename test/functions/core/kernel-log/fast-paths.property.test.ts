import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { embeddedStampAt, kmsgPrefixEnd } from '../../../../functions/core/kernel-log/envelope';
import { killPhraseAt, mentionsKillPhrase } from '../../../../functions/core/kernel-log/kill-phrase';
import {
  emptyEnvelope,
  kernelStampEnd,
  kernelTimeIn,
  stripCallerFrom,
  withKernelStampFrom,
} from '../../../../functions/core/kernel-log/message-stamp';
import { englishMonthAt, monthNumber } from '../../../../functions/core/kernel-log/months';
import { localMs } from '../../../../functions/core/kernel-log/time';
import { corpusSamples } from '../../../support/corpus';

/*
 * The hand-written fast paths of the line parsers against the general code or pattern they stand for, on real
 * corpus lines, on lines built from the pieces the fast paths branch on, and on random text.
 */

const corpusLines = corpusSamples().flatMap((sample) => readFileSync(sample.logPath, 'utf8').split('\n'));

/** Real victim and selection lines from where their kernel message starts, as the classifier receives them. */
const realKillBodies = corpusLines.flatMap((line) => {
  const start = /Memory cgroup |[Oo]ut of [Mm]emory|[Kk]ill(?:ed)? process /.exec(line);
  return start && /ll(?:ed)? process /.test(line) ? [line.slice(start.index)] : [];
});

const KILL_PHRASE =
  /^(?:(?:Memory cgroup )?[Oo]ut of [Mm]emory(?: \([a-z_]{1,40}\))?: )?[Kk]ill(?:ed)? process /;

function referencePhraseAt(body: string): number {
  const match = KILL_PHRASE.exec(body);
  return match ? match[0].length - (match[0].endsWith('ed process ') ? 15 : 13) : -1;
}

const phrasePiece = fc.constantFrom(
  'Memory cgroup ',
  'memory cgroup ',
  'Out of memory',
  'out of Memory',
  'Out of Memory',
  'Out of memor',
  ' (oom_kill_allocating_task)',
  ' (',
  '(',
  ')',
  'a_b',
  'x'.repeat(40),
  'y'.repeat(41),
  ': ',
  ':',
  'Kill',
  'kill',
  'KILL',
  'Kil',
  'ed',
  ' process ',
  ' process',
  'process ',
  'll process ',
  'lled process ',
  'l',
  'd',
  'le',
  ' ',
  '1234 (java) ',
);
/** The pattern's own parts, each right or slightly wrong, in its order. */
const phraseShaped = fc
  .tuple(
    fc.constantFrom('', 'Memory cgroup ', 'Memory cgroup', 'memory cgroup '),
    fc.constantFrom('', 'Out of memory', 'out of Memory', 'Out Of memory', 'Out of memory '),
    fc.oneof(
      fc.constant(''),
      fc.stringMatching(/^[a-z_A-Z]{0,42}$/).map((inside) => ` (${inside})`),
      fc.stringMatching(/^[a-z_]{38,42}$/).map((inside) => ` (${inside})`),
    ),
    fc.constantFrom('', ': ', ':', ' : '),
    fc.constantFrom('Kill', 'kill', 'KILL', 'Kil', ''),
    fc.constantFrom('', 'ed', 'e'),
    fc.constantFrom(' process ', ' process', ' Process '),
  )
  .map((parts) => parts.join(''));
const phraseText = fc.oneof(
  phraseShaped,
  fc.array(phrasePiece, { maxLength: 8 }).map((parts) => parts.join('')),
  fc.constantFrom(...corpusLines),
  fc.constantFrom(...realKillBodies),
  fc.string(),
);

describe('killPhraseAt', () => {
  it('finds the kill phrase exactly where the pattern does', () => {
    fc.assert(
      fc.property(phraseText, (text) => {
        expect(killPhraseAt(text)).toBe(referencePhraseAt(text));
      }),
      { numRuns: 20000 },
    );
  });

  it('finds it on real victim and selection lines', () => {
    const found = realKillBodies.filter((body) => killPhraseAt(body) >= 0).length;
    expect(found).toBeGreaterThan(200);
    for (const body of realKillBodies) expect(killPhraseAt(body)).toBe(referencePhraseAt(body));
  });
});

describe('mentionsKillPhrase', () => {
  it('is true exactly when the text holds `ll process ` or `lled process `', () => {
    fc.assert(
      fc.property(phraseText, (text) => {
        expect(mentionsKillPhrase(text)).toBe(text.includes('ll process ') || text.includes('lled process '));
      }),
      { numRuns: 20000 },
    );
  });
});

/** The first version of the kernel marks' stripping, with the patterns it used, for the in-place readers. */
const CALLER_ID = /^ ?\[\s*[TC]\d{1,10}\]/;
const PRIORITY = /^<(\d{1,3})>/;
const STAMP = /^\[\s*(\d{1,10}\.\d{1,9})\]/;

function referenceStripCaller(text: string): string {
  const caller = CALLER_ID.exec(text);
  const rest = caller ? text.slice(caller[0].length) : text;
  return rest.startsWith(' ') ? rest.slice(1) : rest;
}

function referenceKernelStamp(body: string): { kernelTime: number | null; body: string } {
  const priority = PRIORITY.exec(body);
  let text = referenceStripCaller(priority ? body.slice(priority[0].length) : body);
  const stamp = STAMP.exec(text);
  if (!stamp) return { kernelTime: null, body: text };
  text = referenceStripCaller(text.slice(stamp[0].length));
  return { kernelTime: Number(stamp[1]), body: text };
}

const markPiece = fc.constantFrom(
  '[',
  ']',
  ' ',
  '  ',
  '\t',
  '\u00a0',
  '.',
  '0',
  '7',
  '123',
  '4983682',
  '9999999999',
  '123456',
  '1234567890',
  'T',
  'C',
  'T9185',
  '<6>',
  '<13>',
  '<',
  '>',
  '[ T42]',
  '[C1]',
  '[T1234567890]',
  '[ C12345678901]',
  '[  311.828673]',
  'Out of memory: ',
  'kernel: ',
  'x',
);
const markText = fc.oneof(
  fc.array(markPiece, { maxLength: 10 }).map((parts) => parts.join('')),
  fc.constantFrom(...corpusLines),
  fc.string(),
);

describe('the in-place readers of the kernel marks', () => {
  it('strip priority, stamp and caller id from any offset as the patterns did from a slice', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3 }), markText, (before, text) => {
        const line = before + text;
        const envelope = withKernelStampFrom(emptyEnvelope('dmesg', ''), line, before.length);
        const expected = referenceKernelStamp(text);
        expect({ kernelTime: envelope.kernelTime, body: envelope.body }).toEqual(expected);
        expect(stripCallerFrom(line, before.length)).toBe(referenceStripCaller(text));
      }),
      { numRuns: 20000 },
    );
  });

  it('read every stamp as the number its text spells, up to ten digits and nine decimals', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{1,10}$/),
        fc.stringMatching(/^\d{1,9}$/),
        fc.stringMatching(/^ {0,3}$/),
        (seconds, fraction, pad) => {
          const text = `[${pad}${seconds}.${fraction}] msg`;
          const end = kernelStampEnd(text);
          expect(end).toBe(text.length - 4);
          expect(kernelTimeIn(text, 0, end)).toBe(Number(`${seconds}.${fraction}`));
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('find /dev/kmsg prefixes exactly where the pattern does', () => {
    const KMSG = /^(\d{1,3}),(\d{1,20}),(\d{1,20}),[^;]{0,200};/;
    const kmsgText = fc.oneof(
      fc
        .tuple(
          fc.stringMatching(/^\d{0,4}$/),
          fc.constantFrom(',', ';', ''),
          fc.stringMatching(/^\d{0,21}$/),
          fc.constantFrom(',', ''),
          fc.stringMatching(/^\d{0,21}$/),
          fc.constantFrom(',', ',-', ';'),
          fc.oneof(fc.string({ maxLength: 4 }), fc.constant('x'.repeat(199)), fc.constant('x'.repeat(201))),
          fc.constantFrom(';', ';msg', '', ',;'),
        )
        .map((parts) => parts.join('')),
      fc.constantFrom(...corpusLines),
    );
    fc.assert(
      fc.property(kmsgText, (line) => {
        const match = KMSG.exec(line);
        expect(kmsgPrefixEnd(line)).toBe(match ? match[0].length : -1);
      }),
      { numRuns: 20000 },
    );
  });

  it('find a lost newline’s stamp exactly where the pattern does', () => {
    const STAMP_ANYWHERE = /\[\s*\d{1,10}\.\d{6}\]/y;
    const reference = (body: string): number => {
      for (let at = body.indexOf('[', 1); at >= 0; at = body.indexOf('[', at + 1)) {
        STAMP_ANYWHERE.lastIndex = at;
        if (STAMP_ANYWHERE.test(body)) return at;
      }
      return -1;
    };
    fc.assert(
      fc.property(markText, (body) => {
        expect(embeddedStampAt(body)).toBe(reference(body));
      }),
      { numRuns: 20000 },
    );
  });
});

describe('the syslog date readers', () => {
  it('read every three ASCII letters as monthNumber does, or leave them to it', () => {
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    let read = 0;
    for (const a of letters)
      for (const b of letters)
        for (const c of letters) {
          const month = englishMonthAt(`${a}${b}${c} 25`);
          if (month === null) continue;
          read++;
          expect(month).toBe(monthNumber(`${a}${b}${c}`));
        }
    // Each of the twelve names, in all eight mixes of case.
    expect(read).toBe(12 * 8);
    expect(englishMonthAt('Nov')).toBe(11);
    expect(englishMonthAt('No1')).toBeNull();
    expect(englishMonthAt('Mär')).toBeNull();
  });

  it('turn clocks into the milliseconds Date.UTC gives for their numbers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1971, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.stringMatching(/^\d\d:\d\d(?::\d\d)?$/),
        (year, month, day, clock) => {
          const expected = Date.UTC(
            year,
            month - 1,
            day,
            Number(clock.slice(0, 2)),
            Number(clock.slice(3, 5)),
            clock.length >= 8 ? Number(clock.slice(6, 8)) : 0,
          );
          expect(localMs(year, month, day, clock)).toBe(expected);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
