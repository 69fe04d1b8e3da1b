import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptPath } from '../../../lib/ssm/script-source';
import { makeTemp, removeTemp } from './support/run-script';

/**
 * Pressure mode's two helpers, taken out of the script and run alone in bash: how a sample is read from /proc, and
 * how two samples are compared (only the same process: the same pid and the same start time).
 */
const SCRIPT = readFileSync(scriptPath('collect-diagnostics'), 'utf8');

/** A function's definition, from `name() {` to its closing brace at the start of a line. */
function shellFunction(name: string): string {
  const start = SCRIPT.indexOf(`\n${name}() {\n`);
  const end = SCRIPT.indexOf('\n}\n', start);
  if (start < 0 || end < 0) throw new Error(`no function ${name} in the script`);
  return SCRIPT.slice(start + 1, end + 3);
}

/** Run `body` in bash with the named functions defined; its stdout. */
function bash(functions: string[], body: string): string {
  const program = `set -u\nexport LC_ALL=C\n${functions.map(shellFunction).join('')}${body}`;
  const result = spawnSync('bash', ['-c', program], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

const growth = (...args: (string | number)[]) =>
  bash(['growth_between'], `growth_between ${args.map((a) => `'${a}'`).join(' ')}\nprintf '%s' "$REPLY"`);

describe('growth_between', () => {
  it('gives the seconds between two samples of one process and its growth per hour', () => {
    // 36 MiB in 3.00 s is 44236800 KiB/h; 100 KiB less in 2.50 s is -144000 KiB/h.
    expect(growth(1092160, 262144, 100000, 1092160, 299008, 100300)).toBe('3.00 44236800');
    expect(growth(7, 8100, 5000, 7, 8000, 5250)).toBe('2.50 -144000');
  });

  it('compares nothing when the pid now belongs to another process (another start time)', () => {
    expect(growth(1092160, 262144, 100000, 1092999, 299008, 100300)).toBe('');
  });

  it('compares nothing without a start time, a figure, or time between the samples', () => {
    expect(growth('', 262144, 100000, '', 299008, 100300)).toBe('');
    expect(growth(5, '', 100000, 5, 299008, 100300)).toBe('');
    expect(growth(5, 1, 100000, 5, 2, 100000)).toBe('');
    expect(growth(5, 1, 100300, 5, 2, 100000)).toBe('');
  });
});

describe('rss_sample', () => {
  let dir: string;
  let pid = 0;

  beforeAll(async () => {
    // A name with blanks and parentheses, as a comm may hold: "a) b (c" (the executable's name).
    dir = makeTemp('rss-sample');
    const sleeper = join(dir, 'a) b (c');
    copyFileSync('/bin/sleep', sleeper);
    spawnSync('chmod', ['755', sleeper]);
    const child = spawn(sleeper, ['30'], { stdio: 'ignore' });
    pid = child.pid ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
  afterAll(() => {
    if (pid) process.kill(pid, 'SIGKILL');
    removeTemp(dir);
  });

  it('reads the start time after the name, however it is spelt, and VmRSS', () => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    expect(stat).toContain('(a) b (c)');
    // Field 22: the 20th after the name's closing parenthesis (state is field 3).
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const vmRss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    expect(bash(['rss_sample'], `rss_sample ${pid}\nprintf '%s %s' "$START" "$RSS"`)).toBe(
      `${startTime} ${vmRss}`,
    );
  });

  it('reads nothing for a kernel thread (no VmRSS) or a pid that is gone', () => {
    expect(readFileSync('/proc/2/status', 'utf8')).not.toMatch(/^VmRSS:/m); // kthreadd
    expect(bash(['rss_sample'], `rss_sample 2\nprintf '[%s %s]' "$START" "$RSS"`)).toBe('[ ]');
    expect(bash(['rss_sample'], `rss_sample 4194304\nprintf '[%s %s]' "$START" "$RSS"`)).toBe('[ ]');
  });
});
