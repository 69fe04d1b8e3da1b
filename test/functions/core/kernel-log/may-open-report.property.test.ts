import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayOpenReport } from '../../../../functions/core/kernel-log/prefilter';
import {
  JSON_HIDING_EXAMPLES,
  OPENING_EXAMPLES,
  OPENING_PHRASES,
  opensReportBySpecification,
} from '../../../../functions/core/kernel-log/prefilter-phrases';
import { KERNEL_CORPUS } from '../../../support/corpus';
import { patternPieces } from '../../../support/phrase-lines';

/**
 * `mayOpenReport` is its list of phrases (`prefilter-phrases.ts`) rewritten for speed (`prefilter.ts`): it must
 * answer exactly what the list as plain patterns answers, with JSON lines that can hide text always read.
 */
const specification = opensReportBySpecification;

const PHRASES = [
  ...OPENING_PHRASES,
  ...OPENING_EXAMPLES,
  '[1234]',
  '[ \t 12]',
  ...JSON_HIDING_EXAMPLES,
  '" : \n[',
];

const PIECES = [
  ...PHRASES,
  ...patternPieces('MAY_OPEN_REPORT'),
  ...PHRASES.flatMap((phrase) => [phrase.slice(1), phrase.slice(0, -1), phrase.slice(1, -1)]),
  ...[...new Set(PHRASES.join(''))],
  '{',
  'a',
  '_',
  '9',
  ' ',
  '[',
  ']',
  '"',
  ':',
  '\n',
  'é',
  '\u{1F600}',
  'systemd[1]: ',
  'out_of_memory+0xe4/0x360',
  '{"MESSAGE":"',
];

const lineArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }).map((pieces) => pieces.join(''));

describe('mayOpenReport answers exactly what its list of phrases answers', () => {
  it('on lines made of the phrases, their fragments and near misses', () => {
    let yes = 0;
    fc.assert(
      fc.property(lineArb, (line) => {
        const expected = specification(line);
        expect(mayOpenReport(line)).toBe(expected);
        if (expected) yes++;
      }),
      { numRuns: 20_000 },
    );
    expect(yes).toBeGreaterThan(2_000);
    expect(yes).toBeLessThan(19_000);
  });

  it('on arbitrary text, with a phrase set anywhere in it or not', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.option(fc.constantFrom(...PHRASES)),
        fc.nat(),
        (text, phrase, at) => {
          const cut = at % (text.length + 1);
          const line = phrase === null ? text : text.slice(0, cut) + phrase + text.slice(cut);
          expect(mayOpenReport(line)).toBe(specification(line));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('on every line of every real report and transport in the fixtures', () => {
    let yes = 0;
    let no = 0;
    for (const theme of readdirSync(KERNEL_CORPUS, { withFileTypes: true })) {
      if (!theme.isDirectory()) continue;
      const dir = `${KERNEL_CORPUS}${theme.name}/`;
      for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.log')) continue;
        for (const line of readFileSync(`${dir}${file}`, 'utf8').split('\n')) {
          const expected = specification(line);
          if (mayOpenReport(line) !== expected) expect.fail(`${theme.name}/${file}: ${line}`);
          if (expected) yes++;
          else no++;
        }
      }
    }
    expect(yes).toBeGreaterThan(1000);
    expect(no).toBeGreaterThan(1000);
  });
});
