import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { redact } from '../../../../../functions/core/render/redaction/redact';
import { CLEAN_LINES, SECRET_LINES } from './command-lines';
import { SECRET_TABLE } from './secret-table';

/**
 * Every regular expression redaction runs, as it runs them: `RegExp.prototype.exec` is watched while the whole
 * table is redacted, so a pattern added anywhere (a rule, a name check, a split) is checked without being listed.
 * `replace`, `split`, `test` and `matchAll` all go through `exec` once it is replaced.
 */
function regexesRunBy(run: () => void): Map<string, { source: string; flags: string }> {
  const seen = new Map<string, { source: string; flags: string }>();
  const original = RegExp.prototype.exec;
  RegExp.prototype.exec = function watched(this: RegExp, input: string) {
    seen.set(`/${this.source}/${this.flags}`, { source: this.source, flags: this.flags });
    return original.call(this, input);
  };
  try {
    run();
  } finally {
    RegExp.prototype.exec = original;
  }
  return seen;
}

const INPUTS = [
  ...SECRET_LINES.map((row) => row.line),
  ...CLEAN_LINES.map(([, line]) => line),
  ...SECRET_TABLE.map(([, line]) => line),
];

describe('redaction stays linear-time', () => {
  const regexes = regexesRunBy(() => {
    for (const line of INPUTS) redact(line);
  });

  it('watches the expressions it means to check', () => {
    // The rules, the provider shapes, the webhook URLs, the program table's word scan and the name check.
    expect(regexes.size).toBeGreaterThan(50);
    expect([...regexes.keys()].some((key) => key.includes('GOCSPX'))).toBe(true);
    expect([...regexes.keys()].some((key) => key.includes('\\S+'))).toBe(true);
  });

  it('is a check that fails: recheck reports the quote trim this code once had as polynomial', async () => {
    // `word.replace(/["';)]+$/, '')` rescans a run of quotes from each of its characters; program-args.ts now
    // counts the quotes instead.
    const diagnostics = await check('["\';)]+$', '');
    expect(diagnostics.status).toBe('vulnerable');
  });

  // recheck (4.5.0, its native binary when there is one) decides by automata theory where it can and by fuzzing
  // otherwise; either way a super-linear pattern comes back `vulnerable` with the attack string that shows it.
  // One expression at a time: the checker is a single agent process.
  it('finds no expression that recheck reports as vulnerable or cannot decide', {
    timeout: 600_000,
  }, async () => {
    const verdicts: string[] = [];
    for (const [key, { source, flags }] of regexes) {
      // No time limit of recheck's own (its default is 10 s): on a loaded machine a check would end `timeout`,
      // a verdict about the machine, not the pattern. The test's timeout is the backstop.
      const diagnostics = await check(source, flags, { timeout: null });
      if (diagnostics.status !== 'safe') {
        const attack = diagnostics.status === 'vulnerable' ? ` (${diagnostics.complexity.type})` : '';
        verdicts.push(`${diagnostics.status}${attack}: ${key}`);
      }
    }
    expect(verdicts).toEqual([]);
  });
});
