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
  // Runs past the 15 digits read exactly and the 20 a field may hold, and a pid's 11.
  '12345678901',
  '90071992547409931',
  '1234567890123456789012345',
  '\t',
  'kB',
  ' total-vm:',
  ' vsz:',
  ', anon-rss:',
  'file-rss:',
  'UID:',
  ', shmem-rss:',
  ' pgtables:',
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

/**
 * A run of digits of any length from none to 25, and whether a minus goes before it: pids, uids and memory fields
 * at and past the lengths the parsers bound (11 digits for a pid, 20 for a field, 15 read exactly).
 */
const digitRun = fc.tuple(
  fc.boolean(),
  // Every length equally likely: fast-check's default sizes would seldom reach 11 digits or more.
  fc.array(fc.constantFrom(...'0123456789'), { maxLength: 25, size: 'max' }).map((d) => d.join('')),
);

/** A real line with each run of digits replaced by a `digitRun`. */
const renumberedLine = fc
  .tuple(fc.constantFrom(...realLines), fc.array(digitRun, { minLength: 40, maxLength: 40 }))
  .map(([line, runs]) => {
    let next = 0;
    return line.replace(/\d+/g, (digits) => {
      const [negative, run] = runs[next++ % runs.length] ?? [false, digits];
      return `${negative ? '-' : ''}${run}`;
    });
  });

/** Text after a victim line's fields: more of them again, another spelling of a key, a journal record's end. */
const TAIL_PIECES = [
  ' UID 7',
  ' UID:8',
  ', UID:9',
  ' pgtables:10kB',
  ' oom_score_adj:-5',
  ' total-vm:11kB',
  ' vsz:12kB',
  ', shmem-rss:13kB',
  'kB',
  ' ',
  ',',
  'x',
  '"}',
];

/**
 * A victim line in the kernel's own field order (5.1+, or with `vsz:` as on 2.6.3x), cut where a shorter kernel
 * ends it (4.x, 3.x) or anywhere, then followed by text that repeats a key or spells it another way (`UID 7`
 * after `UID:0`, `vsz:` after `total-vm:`): which occurrence of a key wins, and which spelling, shows only here.
 * The mutations above seldom make these: an edit seldom lands just past a line's last field.
 */
const kernelOrderLine = fc
  .tuple(
    fc.constantFrom(
      'Out of memory: Killed process 4242 (java)',
      'Memory cgroup out of memory: Killed process 17 (Web Content)',
      'Killed process 9, UID 0, (sshd)',
    ),
    fc.constantFrom(' total-vm:', ' vsz:'),
    fc.array(
      digitRun.map(([negative, digits]) => `${negative ? '-' : ''}${digits}`),
      { minLength: 7, maxLength: 7 },
    ),
    fc.oneof(fc.constantFrom('file-rss', 'shmem-rss', 'all'), fc.double({ min: 0, max: 1, noNaN: true })),
    fc.array(fc.constantFrom(...TAIL_PIECES), { maxLength: 3 }),
  )
  .map(([head, firstKey, [vm, anon, file, shmem, uid, pgtables, adj], cut, tail]) => {
    const upToFile = `${head}${firstKey}${vm}kB, anon-rss:${anon}kB, file-rss:${file}kB`;
    const upToShmem = `${upToFile}, shmem-rss:${shmem}kB`;
    const all = `${upToShmem}, UID:${uid} pgtables:${pgtables}kB oom_score_adj:${adj}`;
    const fields =
      cut === 'file-rss'
        ? upToFile
        : cut === 'shmem-rss'
          ? upToShmem
          : cut === 'all'
            ? all
            : all.slice(0, head.length + Math.floor(cut * (all.length - head.length)));
    return fields + tail.join('');
  });

const lineOrNoise = fc.oneof(
  { weight: 4, arbitrary: mutatedLine },
  { weight: 2, arbitrary: renumberedLine },
  { weight: 1, arbitrary: fc.string() },
);

describe('the in-place line scanners', () => {
  it('have real lines to work on', () => {
    expect(realLines.length).toBeGreaterThan(250);
  });

  it('read every real line exactly as the straightforward parsers do', () => {
    for (const line of realLines) {
      expect(parseKillLine(line)).toEqual(referenceKillLine(line));
      expect(parseSelectionLine(line)).toEqual(referenceSelectionLine(line));
      expect(parseOomKillSummary(line)).toEqual(referenceOomKillSummary(line));
    }
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

  it('read victim lines in the kernel field order, cut or followed by more keys, as the straightforward parser does', () => {
    fc.assert(
      fc.property(kernelOrderLine, (line) => {
        expect(parseKillLine(line)).toEqual(referenceKillLine(line));
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
