import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { killPhraseAt, mentionsKillPhrase } from '../../../../functions/core/kernel-log/messages';
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
