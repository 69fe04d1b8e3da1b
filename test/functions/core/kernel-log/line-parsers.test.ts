import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKillLine, parseSelectionLine } from '../../../../functions/core/kernel-log/kill-line';
import { classifyKernelMessage } from '../../../../functions/core/kernel-log/messages';
import { parseOomKillSummary } from '../../../../functions/core/kernel-log/oom-kill-summary';
import { corpusSamples } from '../../../support/corpus';
import {
  referenceInvoked,
  referenceKillLine,
  referenceOomKillSummary,
  referenceSelectionLine,
} from './reference-parsers';

/** Every line of the corpus that one of these parsers reads, as the kernel printed it. */
const realLines = corpusSamples()
  .flatMap((sample) => readFileSync(sample.logPath, 'utf8').split('\n'))
  .filter((line) => /ll(?:ed)? process |invoked oom-killer: |oom-kill:/.test(line));

// Pieces the parsers look for, so that mutations land where the scanning code branches.
const PIECES = [
  ' ',
  ',',
  '(',
  ')',
  '-',
  ':',
  '=',
  '0',
  '42',
  '\t',
  'kB',
  ' total-vm:',
  ' vsz:',
  ', anon-rss:',
  'file-rss:',
  'UID:',
  ', UID 0,',
  ' UID ',
  'oom_score_adj:',
  ' score ',
  ' sharing same memory',
  ',task=',
  ',pid=',
  ',uid=',
  ',global_oom',
  ',oom_memcg=',
  ',task_memcg=',
  'gfp_mask=',
  ', order=',
  'Out of Memory: ',
  'Memory cgroup out of memory: ',
];

/** A real line with a few pieces inserted, deleted or cut off at random places. */
const mutatedLine = fc
  .tuple(
    fc.constantFrom(...realLines),
    fc.array(
      fc.tuple(
        fc.constantFrom('insert', 'delete', 'cut'),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(...PIECES),
      ),
      { maxLength: 4 },
    ),
  )
  .map(([line, edits]) =>
    edits.reduce((text, [edit, where, piece]) => {
      const at = Math.floor(where * text.length);
      if (edit === 'insert') return text.slice(0, at) + piece + text.slice(at);
      if (edit === 'delete') return text.slice(0, at) + text.slice(at + piece.length);
      return text.slice(0, at);
    }, line),
  );

const lineOrNoise = fc.oneof({ weight: 4, arbitrary: mutatedLine }, { weight: 1, arbitrary: fc.string() });

describe('the in-place line scanners', () => {
  it('have real lines to work on', () => {
    expect(realLines.length).toBeGreaterThan(250);
  });

  it('read victim and selection lines exactly as the straightforward parsers do', () => {
    fc.assert(
      fc.property(lineOrNoise, (line) => {
        expect(parseKillLine(line)).toEqual(referenceKillLine(line));
        expect(parseSelectionLine(line)).toEqual(referenceSelectionLine(line));
      }),
      { numRuns: 5000 },
    );
  });

  it('read oom-kill summaries exactly as the straightforward parser does', () => {
    fc.assert(
      fc.property(lineOrNoise, (line) => {
        expect(parseOomKillSummary(line)).toEqual(referenceOomKillSummary(line));
      }),
      { numRuns: 5000 },
    );
  });

  it('read the fields of invoked lines exactly as the straightforward parser does', () => {
    fc.assert(
      fc.property(lineOrNoise, (line) => {
        const event = classifyKernelMessage(line);
        const at = line.indexOf(' invoked oom-killer: ');
        if (event?.type === 'invoked') {
          expect(event).toEqual(referenceInvoked(line, at));
        }
      }),
      { numRuns: 5000 },
    );
  });
});
