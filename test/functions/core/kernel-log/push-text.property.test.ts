import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelLogParser } from '../../../../functions/core/kernel-log';
import {
  isHumanClockLine,
  mayBelongToReport,
  nextCandidateLine,
} from '../../../../functions/core/kernel-log/prefilter';
import { CORPUS_REFERENCE_DATE } from '../../../support/corpus';
import {
  byLines,
  corpusFiles,
  messages,
  NOISE,
  PREFILTER_PIECES,
  type Reading,
  type Runs,
  runsOf,
  segmentArb,
  TRANSPORTS,
  textOf,
} from '../../../support/log-runs';

/**
 * `pushText` skips the noise of a chunk with one scan of it instead of splitting it into lines (`parser.ts`):
 * fed the same lines cut into any chunks, it must give what `pushLine` of each line gives — the same kills from
 * each chunk's lines, the same problems, the same kills at `end()`.
 */

function byText(runs: Runs, lastWithoutNewline: (index: number) => boolean): Reading {
  const parser = new KernelLogParser({ referenceDate: CORPUS_REFERENCE_DATE });
  const kills = runs.map((run, i) => [...parser.pushText(textOf(run, lastWithoutNewline(i)))]);
  kills.push(parser.end());
  return { kills, problems: parser.problems.map((problem) => problem.message) };
}

/** Compare the two readings of `lines` cut at `cuts`; the number of kills found. */
function expectSameReading(lines: readonly string[], cuts: readonly number[], seed: number): number {
  const runs = runsOf(lines, cuts);
  const expected = byLines(runs);
  expect(byText(runs, (i) => ((seed >> (i % 30)) & 1) === 1)).toEqual(expected);
  return expected.kills.flat().length;
}

/** The line test `nextCandidateLine` must agree with: what `pushLine` reads while no report waits. */
function mustRead(line: string): boolean {
  const stripped = line.endsWith('\r') ? line.slice(0, -1) : line;
  return mayBelongToReport(stripped) || isHumanClockLine(stripped);
}

describe('the chunk scan finds exactly the lines the line test reads', () => {
  const PIECES = [...PREFILTER_PIECES, '\u00e9'];
  const textArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((pieces) => pieces.join(''));

  it('from every line start, the next line the line test reads, and none across a newline', () => {
    let found = 0;
    fc.assert(
      fc.property(textArb, (text) => {
        const lines = text.split('\n');
        if (text.endsWith('\n')) lines.pop();
        const starts: number[] = [];
        for (let at = 0, i = 0; i < lines.length; i++) {
          starts.push(at);
          at += (lines[i] ?? '').length + 1;
        }
        for (let i = 0; i < lines.length; i++) {
          let next = i;
          while (next < lines.length && !mustRead(lines[next] ?? '')) next++;
          const expected = next < lines.length ? (starts[next] ?? -1) : -1;
          expect(nextCandidateLine(text, starts[i] ?? 0)).toBe(expected);
          if (expected >= 0) found++;
        }
      }),
      { numRuns: 20_000 },
    );
    expect(found).toBeGreaterThan(10_000);
  });

  it('on every line of the corpus, in every transport, with and without a CR', () => {
    let read = 0;
    for (const wrap of TRANSPORTS) {
      for (const cr of ['', '\r']) {
        const lines = messages.map((message) => wrap(message, 'vm') + cr);
        const text = lines.map((line) => `${line}\n`).join('');
        let at = 0;
        for (const line of lines) {
          const next = nextCandidateLine(text, at);
          if (mustRead(line)) {
            if (next !== at) expect.fail(`missed ${JSON.stringify(line)}`);
            read++;
          } else if (next === at) expect.fail(`read ${JSON.stringify(line)}`);
          at += line.length + 1;
        }
      }
    }
    expect(read).toBeGreaterThan(1_000);
  });
});

describe('pushText gives what pushLine of each line gives', () => {
  it('over every corpus file, cut into chunks at random lines', () => {
    let kills = 0;
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), fc.nat(), (cuts, seed) => {
        for (const file of corpusFiles) kills += expectSameReading(file.lines, cuts, seed);
      }),
      { numRuns: 8 },
    );
    expect(kills).toBeGreaterThan(1_000);
  });

  it('over corpus files with runs of noise between their lines, crossing multiples of 256, in many chunks', () => {
    // Reports go stale in the noise, at a multiple of 256 lines: many cuts put some of them just before or after.
    let kills = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: corpusFiles.length - 1 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 200, max: 1300 }),
        fc.array(fc.nat(), { minLength: 50, maxLength: 400 }),
        fc.nat(),
        (file, every, gap, cuts, seed) => {
          const lines = (corpusFiles[file]?.lines ?? []).flatMap((line, i) =>
            i % every === every - 1
              ? [line, ...Array.from({ length: gap + i }, (_, j) => NOISE[j % NOISE.length] ?? '')]
              : [line],
          );
          kills += expectSameReading(lines, cuts, seed);
        },
      ),
      { numRuns: 300 },
    );
    expect(kills).toBeGreaterThan(100);
  });

  it('over generated logs of reports, noise, clocks, CRLF, blank and long lines and JSON, in any chunks', () => {
    let kills = 0;
    let problems = 0;
    fc.assert(
      fc.property(
        fc.array(segmentArb, { maxLength: 25 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.nat(),
        (segments, cuts, seed) => {
          const lines = segments.flat();
          kills += expectSameReading(lines, cuts, seed);
          problems += byLines([lines]).problems.length;
        },
      ),
      { numRuns: 400 },
    );
    // Reports were found and problems seen, so the comparison above is not vacuous.
    expect(kills).toBeGreaterThan(500);
    expect(problems).toBeGreaterThan(10);
  });

  it('treats an empty text as no line, and a text ending without a newline as ending with its last line', () => {
    // Each line its own text, without its `\n` (an empty line needs it: an empty text holds no line), between
    // runs of noise that let reports go stale: each call must give the kills pushLine of that line gives, so a
    // line miscounted shows as a kill given one call early or late.
    let kills = 0;
    for (const [index, file] of corpusFiles.entries()) {
      if (index % 4 !== 0) continue;
      const lines = file.lines.flatMap((line, i) =>
        i % 5 === 2 ? [line, ...Array.from({ length: 255 + (i % 4) }, () => '')] : [line],
      );
      const runs = lines.map((line) => [line]);
      const expected = byLines(runs);
      const parser = new KernelLogParser({ referenceDate: CORPUS_REFERENCE_DATE });
      const actual = lines.map((line) => [...parser.pushText(''), ...parser.pushText(line || '\n')]);
      actual.push(parser.end());
      expect({ kills: actual, problems: parser.problems.map((problem) => problem.message) }).toEqual(
        expected,
      );
      kills += actual.flat().length;
    }
    expect(kills).toBeGreaterThan(30);
  });
});

describe('linesFed', () => {
  it('counts the lines given, whichever way: one per pushLine, every line of a text or bytes, none of a document', () => {
    fc.assert(
      fc.property(
        fc.array(segmentArb, { maxLength: 25 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.nat(),
        (segments, cuts, seed) => {
          const lines = segments.flat();
          const runs = runsOf(lines, cuts);
          const byText = new KernelLogParser({ referenceDate: CORPUS_REFERENCE_DATE });
          const byBytes = new KernelLogParser({ referenceDate: CORPUS_REFERENCE_DATE });
          const byLine = new KernelLogParser({ referenceDate: CORPUS_REFERENCE_DATE });
          for (const [i, run] of runs.entries()) {
            // Only the input's last line may lack its newline.
            const text = textOf(run, i === runs.length - 1 && ((seed >> (i % 30)) & 1) === 1);
            byText.pushText(text);
            byBytes.pushBytes(new TextEncoder().encode(text));
          }
          for (const line of lines) byLine.pushLine(line);
          expect([byText.linesFed, byBytes.linesFed, byLine.linesFed]).toEqual([
            lines.length,
            lines.length,
            lines.length,
          ]);
        },
      ),
      { numRuns: 200 },
    );
    const parser = new KernelLogParser({ referenceDate: CORPUS_REFERENCE_DATE });
    parser.pushDocument({ events: [{ message: 'a\nb\nc' }] });
    parser.pushText('{"events":[{"message":"a\\nb\\nc"}]}\n');
    expect(parser.linesFed).toBe(1);
  });
});
