import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayBelongToReport } from '../../../../functions/core/kernel-log/prefilter';
import {
  REPORT_PHRASES,
  REPORT_SPECIFICATION,
  TASK_ROWS,
} from '../../../../functions/core/kernel-log/prefilter-phrases';
import { KERNEL_CORPUS } from '../../../support/corpus';
import { patternPieces } from '../../../support/phrase-lines';

/**
 * The prefilter is a rewriting of its specification for speed (`prefilter.ts`, `prefilter-phrases.ts`): it must
 * answer exactly what the plain pattern answers on every line, since the parser skips, and so never reads, a
 * line it calls irrelevant.
 */
const SPECIFICATION = REPORT_SPECIFICATION;

const PHRASES = [...REPORT_PHRASES, ...TASK_ROWS, '[ 1234]     0', '[1] -1'];

/** Pieces that make near misses: each phrase cut, a char of each, the task row's parts, transports' prefixes. */
const PIECES = [
  ...PHRASES,
  ...patternPieces('ANCHORED'),
  ...PHRASES.flatMap((phrase) => [phrase.slice(1), phrase.slice(0, -1), phrase.slice(1, -1)]),
  ...[...new Set(PHRASES.join(''))],
  '[',
  ']',
  ': ',
  '] ',
  ' ',
  '  ',
  '          ',
  '0',
  '12345678901',
  '-',
  '\n',
  '\r',
  '\t',
  'é',
  '二',
  '\u{1F600}',
  'kernel: ',
  '[  123.456789] ',
  'Nov 25 16:58:01 host kernel: ',
  '{"MESSAGE":"',
];

const lineArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }).map((pieces) => pieces.join(''));

describe('the prefilter answers exactly what its specification pattern answers', () => {
  it('on lines made of the phrases, their fragments and near misses', () => {
    fc.assert(
      fc.property(lineArb, (line) => {
        expect(mayBelongToReport(line)).toBe(SPECIFICATION.test(line));
      }),
      { numRuns: 20_000 },
    );
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
          expect(mayBelongToReport(line)).toBe(SPECIFICATION.test(line));
          if (phrase !== null && !phrase.startsWith('[')) expect(mayBelongToReport(line)).toBe(true);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('on every line of every real report and transport in the fixtures', () => {
    let relevant = 0;
    let skipped = 0;
    for (const theme of readdirSync(KERNEL_CORPUS, { withFileTypes: true })) {
      if (!theme.isDirectory()) continue;
      const dir = `${KERNEL_CORPUS}${theme.name}/`;
      for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.log')) continue;
        for (const line of readFileSync(`${dir}${file}`, 'utf8').split('\n')) {
          const expected = SPECIFICATION.test(line);
          if (mayBelongToReport(line) !== expected) expect.fail(`${theme.name}/${file}: ${line}`);
          if (expected) relevant++;
          else skipped++;
        }
      }
    }
    // Both answers occur, many times: the comparison above is not vacuous.
    expect(relevant).toBeGreaterThan(1000);
    expect(skipped).toBeGreaterThan(1000);
  });
});
