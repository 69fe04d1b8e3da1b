import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runMain } from '../support/run-cli';

/** Issue 15, item 10: what a user meets in the first hour with the CLI. Each test reproduced a defect first. */

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('oom-responder --version', () => {
  it.each([['--version'], ['-V']])('%s prints the package version and exits 0', async (flag) => {
    const result = await runMain([flag]);
    expect(result).toEqual({ code: 0, stdout: `oom-responder ${PACKAGE_VERSION}\n`, stderr: '' });
  });
});

describe('a bad flag says how to get help', () => {
  it.each(['parse', 'preview', 'replay', 'demo'])('%s --bogus', async (command) => {
    const result = await runMain([command, '--bogus']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `oom-responder ${command}: unknown option '--bogus' (see oom-responder ${command} --help)\n`,
    });
  });

  it('a flag missing its value names the flag and the help', async () => {
    const result = await runMain(['parse', '--year']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "oom-responder parse: option '--year' needs a value (see oom-responder parse --help)\n",
    );
  });
});
