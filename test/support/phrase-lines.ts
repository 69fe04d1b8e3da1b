import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { mayBelongToReport, mayOpenReport } from '../../functions/core/kernel-log/prefilter';
import {
  OPENING_EXAMPLES,
  OPENING_PHRASES,
  REPORT_PHRASES,
  TASK_ROWS,
} from '../../functions/core/kernel-log/prefilter-phrases';

/**
 * Lines to find each phrase of the prefilter's specification (`prefilter-phrases.ts`) in, at every place a scan
 * could miss it: the WebAssembly scan's tests (`wasm-line-scan*.test.ts`) put every phrase at every offset of a
 * long line of near misses, at every alignment of the chunk, and as the chunk's last bytes.
 */

/** Every phrase of the specification and every example of its patterns. */
const ALL_PHRASES = [...REPORT_PHRASES, ...TASK_ROWS, ...OPENING_PHRASES, ...OPENING_EXAMPLES];

/**
 * A line of about `length` ASCII characters that neither `mayBelongToReport` nor `mayOpenReport` lets through,
 * made of the phrases' near misses (each with its first or its last character cut off), so that a scan walks
 * over many of its anchors and fingerprints and must reject each.
 */
export function nearMissLine(length: number): string {
  // Each phrase's first cut, then each one's second: a line of any length holds some of most phrases.
  const misses = [
    ...ALL_PHRASES.map((phrase) => phrase.slice(1)),
    ...ALL_PHRASES.map((phrase) => phrase.slice(0, -1)),
  ]
    .filter((miss) => [...miss].every((c) => c.charCodeAt(0) < 128))
    .flatMap((miss) => [miss, ' ']);
  let line = 'y';
  for (let i = 0; line.length < length; i++) {
    const longer = `${line}${misses[i % misses.length]}`;
    if (!mayBelongToReport(longer) && !mayOpenReport(longer)) line = longer;
    if (i > 100 * length) throw new Error('no near miss fits any more');
  }
  return line;
}

/** The phrase literals a wasm source compares bytes with (`spells(p, 'phrase')`), read from its text. */
export function spelledPhrases(path: string): string[] {
  const text = readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
  return [...text.matchAll(/spells\([^,()]+, '([^']+)'\)/g)].map((match) => match[1] ?? '');
}

/**
 * The wasm source at `path` spells at least `atLeast` phrases (so the reading of its text still finds them), each
 * part of one of `specification`'s: a phrase checked there and not specified fails, naming it.
 */
export function expectSpellsOnly(path: string, specification: readonly string[], atLeast: number): void {
  const spelled = spelledPhrases(path);
  expect(spelled.length).toBeGreaterThan(atLeast);
  for (const phrase of spelled)
    expect(
      specification.some((p) => p.includes(phrase)),
      `${path} spells '${phrase}'`,
    ).toBe(true);
}

/** A layout of the line holding a phrase in a chunk: after a line of near misses or not, last in it or not. */
export interface Placement {
  /** The run of lines: the phrase's line at `at`. */
  run: Buffer;
  /** Whole lines before the run in its chunk (`shift` bytes). */
  before: Buffer;
  /** Where the phrase's line starts in `run`. */
  at: number;
  /** The phrase's line. */
  line: string;
}

/**
 * Every placement of `phrase` in `noise` (a line of near misses): at each offset of the line (`lineOf` puts it
 * there), the line first in the run or after `noise`, followed by `noise` or ending the chunk (the phrase's last
 * byte then the chunk's last at the last offset), the run after `shift` bytes of lines, for every `shift` below 17.
 */
export function* placements(
  noise: string,
  phrase: string,
  lineOf = (at: number) => `${noise.slice(0, at)}${phrase}${noise.slice(at)}`,
): Generator<Placement> {
  for (let offset = 0; offset <= noise.length; offset++) {
    const line = lineOf(offset);
    for (let shift = 0; shift < 17; shift++) {
      const before = Buffer.from(shift === 0 ? '' : `${'x'.repeat(shift - 1)}\n`);
      for (const first of [true, false]) {
        for (const last of [true, false]) {
          const text = `${first ? '' : `${noise}\n`}${line}${last ? '' : `\n${noise}\n`}`;
          yield { run: Buffer.from(text), before, at: first ? 0 : noise.length + 1, line };
        }
      }
    }
  }
}

/**
 * Pieces of the pattern `name` of prefilter.ts (`ANCHORED`, `MAY_OPEN_REPORT`), read from its text, for the
 * differential tests to build lines of: its literal runs (`ory`, `emory`, ` process`, ...), and each run joined
 * with its neighbours the ways the rewriting splits a phrase (`f(?<=seg)ault` is `seg` `f` `ault`). A phrase put
 * into the pattern but not into the specification (`prefilter-phrases.ts`) is then among the lines generated, and
 * the two answers differ.
 */
export function patternPieces(name: string): string[] {
  const text = readFileSync(new URL('../../functions/core/kernel-log/prefilter.ts', import.meta.url), 'utf8');
  const source = new RegExp(String.raw`const ${name} =\s*\/(.+)\/;`).exec(text)?.[1];
  if (source === undefined) throw new Error(`prefilter.ts: no ${name} pattern found`);
  const runs = source
    .replace(/\(\?(?:<?[=!]|:)/g, '|')
    .replace(/\{\d+,\d+\}/g, '')
    .replace(/\\d/g, '7')
    .replace(/\\s/g, ' ')
    .replace(/\\(.)/g, '$1')
    .split(/[|()?^*]/)
    .filter((run) => run.length > 0);
  const joined = runs.flatMap((run, i) => {
    const next = runs[i + 1] ?? '';
    return [run + next, next + run, next + run + (runs[i + 2] ?? '')];
  });
  return [...new Set([...runs, ...joined])];
}
