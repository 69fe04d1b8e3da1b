import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SSM_PARAMETERS } from '../../../functions/core/ssm/parameter-specs';

/**
 * Every parameter pattern is read by three engines: JavaScript (the Lambda's validator), SSM's allowedPattern and
 * bash's `[[ =~ ]]` (the script's own check). This runs the same values through JavaScript and through bash with
 * LC_ALL=C, as the scripts do, and expects the same verdicts.
 */
const PATTERNS = [
  ...new Set(
    Object.values(SSM_PARAMETERS).flatMap((specs) => Object.values(specs).map((spec) => spec.pattern)),
  ),
];

const SAMPLES = [
  '',
  '/',
  '0',
  '64',
  '65536',
  '65537',
  '90',
  '91',
  'true',
  'false',
  'True',
  'myapp.service',
  'myapp@.service',
  'worker@2.service',
  'session-4.scope',
  '/system.slice/myapp.service',
  '/kubepods/burstable/pod1234/0123456789abcdef',
  '/swapfile.oom-responder',
  '/var/../etc/passwd',
  '/.hidden',
  '//double',
  '/trailing/',
  '2026-11-25T17:30:50Z',
  '2026-11-25T17:30:50.123+01:00',
  '2026-11-25 17:30:50Z',
  'a\nb',
  'myapp.service\n',
  '\nmyapp.service',
  '$(touch x)',
  '`id`',
  'a;b',
  'ünicode',
  'tab\there',
];

/** Bash's verdict for each [pattern, value] pair, read NUL-separated so newlines survive. */
function bashVerdicts(pairs: [string, string][]): string {
  const script = `
export LC_ALL=C
while IFS= read -r -d '' re && IFS= read -r -d '' value; do
  if [[ $value =~ $re ]]; then printf 1; else printf 0; fi
done`;
  const input = pairs.map(([re, value]) => `${re}\0${value}\0`).join('');
  const run = spawnSync('bash', ['-c', script], { input, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return run.stdout;
}

function jsVerdicts(pairs: [string, string][]): string {
  return pairs.map(([re, value]) => (new RegExp(re).test(value) ? '1' : '0')).join('');
}

describe('the parameter patterns', () => {
  it('give the same verdicts in JavaScript and in bash for hand-picked values', () => {
    const pairs = PATTERNS.flatMap((re) => SAMPLES.map((value): [string, string] => [re, value]));
    expect(bashVerdicts(pairs)).toBe(jsVerdicts(pairs));
  });

  it('give the same verdicts in JavaScript and in bash for generated values', () => {
    const alphabet = fc.constantFrom(...'aZ09._-/:@ $;`\'"\n\t\\|&<>()*?[]{}!é€T+Z'.split(''));
    const values = fc.sample(fc.string({ unit: alphabet, maxLength: 40 }), { numRuns: 400, seed: 42 });
    const pairs = PATTERNS.flatMap((re) => values.map((value): [string, string] => [re, value]));
    expect(bashVerdicts(pairs)).toBe(jsVerdicts(pairs));
  });

  it('admit no shell metacharacter, blank, quote or non-ASCII character at all', () => {
    for (const re of PATTERNS) {
      for (const char of ' \t\n\r;&|$`\'"\\<>()*?[]{}!#~%^,é€\u0000') {
        expect(new RegExp(re).test(`a${char}b`), `${re} admits ${JSON.stringify(char)}`).toBe(false);
        expect(new RegExp(re).test(char), `${re} admits ${JSON.stringify(char)}`).toBe(false);
      }
    }
  });
});
