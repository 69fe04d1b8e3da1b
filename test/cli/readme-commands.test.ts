import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runMain } from '../support/run-cli';

/**
 * The README's command table and each command's `--help` say the same: the same options, with the same value
 * names, in the same order, and the same FILE arguments. Either one changing alone fails here.
 */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const COMMANDS = ['parse', 'preview', 'replay', 'demo', 'drill'];

/** The synopsis of each command in the table's first column, by command name. */
function readmeSynopses(): Map<string, string> {
  const section = README.slice(
    README.indexOf('## Commands'),
    README.indexOf('\n## ', README.indexOf('## Commands') + 1),
  );
  const synopses = new Map<string, string>();
  for (const match of section.matchAll(/^\| `oom-responder (\w+)([^`]*)`/gm)) {
    synopses.set(match[1] ?? '', (match[2] ?? '').trim());
  }
  return synopses;
}

/** `--flag VALUE` for each option in a synopsis (`[--year YYYY]`) or help's Options list, `-h, --help` left out. */
const optionsOfSynopsis = (synopsis: string): string[] =>
  [...synopsis.matchAll(/\[(--[\w-]+(?: [A-Z]+)?)\]/g)].map((m) => m[1] ?? '');
const optionsOfHelp = (help: string): string[] =>
  [...help.slice(help.indexOf('\nOptions:')).matchAll(/^ {2}(?:-\w, )?(--[\w-]+(?: [A-Z]+)?)(?= {2,}|$)/gm)]
    .map((m) => m[1] ?? '')
    .filter((option) => option !== '--help');
/** What follows the options: `[FILE...]`, `FILE...` or nothing. */
const filesOfSynopsis = (synopsis: string): string => synopsis.replace(/\[--[^\]]*\]/g, '').trim();
const filesOfUsage = (help: string): string =>
  (/^Usage: oom-responder \w+ \[options\] ?(.*)$/m.exec(help)?.[1] ?? '?').trim();

describe("README's command table matches each command's --help", () => {
  const synopses = readmeSynopses();

  it('lists every command, and only those', () => {
    expect([...synopses.keys()]).toEqual(COMMANDS);
  });

  it.each(COMMANDS)(
    '%s: the same options with the same values, and the same FILE arguments',
    async (command) => {
      const help = (await runMain([command, '--help'])).stdout;
      const synopsis = synopses.get(command) ?? '';
      expect(optionsOfHelp(help).length).toBeGreaterThan(0);
      expect(optionsOfSynopsis(synopsis)).toEqual(optionsOfHelp(help));
      expect(filesOfSynopsis(synopsis)).toBe(filesOfUsage(help));
    },
  );

  it('the main help lists the same commands and --version', async () => {
    const help = (await runMain(['--help'])).stdout;
    const listed = [...help.matchAll(/^ {2}(\w+) {2,}/gm)].map((m) => m[1]);
    expect(listed).toEqual(COMMANDS);
    expect(help).toContain('-V, --version');
  });
});
