import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelLogParser, parseKernelLog } from '../../../../functions/core/kernel-log';
import { KERNEL_CORPUS } from '../../../support/corpus';

const reference = { referenceDate: new Date('2026-11-25T23:59:59Z') };
const report = readFileSync(`${KERNEL_CORPUS}modern/host-v1-memcg-sd-pam.log`, 'utf8').trimEnd().split('\n');
const killLine = report.findIndex((line) => line.includes('Killed process'));

// Fragments of real kernel lines, so that random input reaches the parser's deeper branches.
const FRAGMENTS = [
  '[  123.456789] ',
  'Nov 25 16:58:01 host kernel: ',
  ' invoked oom-killer: gfp_mask=',
  'Killed process ',
  'Kill process ',
  'Memory cgroup out of memory: ',
  'oom-kill:constraint=CONSTRAINT_MEMCG,',
  ',task=',
  ',pid=',
  '(',
  ')',
  ' total-vm:',
  'kB, ',
  '[  pid  ]   uid  tgid total_vm      rss name',
  '[ 1911]     0  1911    10615     9767 ',
  'Task in /a killed as a result of limit of /b',
  '{"MESSAGE":"',
  '{"awslogs":{"data":"',
  '<3>',
  '\n',
];

describe('the kernel log parser on hostile input', () => {
  it('never throws on arbitrary text, and every kill it reports has a kind and a transport', () => {
    const text = fc.array(fc.oneof(fc.string(), fc.constantFrom(...FRAGMENTS), fc.integer().map(String)), {
      maxLength: 60,
    });
    fc.assert(
      fc.property(text, (parts) => {
        const kills = parseKernelLog(parts.join(''), reference);
        for (const kill of kills) {
          expect(['kernel', 'systemd-oomd']).toContain(kill.kind);
          expect(typeof kill.transport).toBe('string');
        }
      }),
      { numRuns: 2000 },
    );
  });

  // Catastrophic backtracking would turn each of these into minutes; the test timeout is the guard.
  it.each([
    ['parentheses', '('.repeat(1_000_000)],
    ['closing parentheses after a kill line', `Killed process 1 (${')'.repeat(1_000_000)}`],
    ['a kill line with a huge comm', `[ 1.000000] Killed process 1 (${'a'.repeat(1_000_000)}) total-vm:1kB`],
    ['colons and dashes (grep prefixes)', ':-'.repeat(500_000)],
    ['brackets', '[ 1.5] ['.repeat(150_000)],
    ['an oom-kill line of commas', `oom-kill:constraint=${','.repeat(1_000_000)}`],
    ['JSON-looking text', `{"MESSAGE":"${'\\"'.repeat(300_000)}`],
  ])('parses a 1 MB line of %s', (_, line) => {
    expect(Array.isArray(parseKernelLog(line, reference))).toBe(true);
  });
});

describe('any subset of a real report', () => {
  it('that keeps the Killed process line still yields exactly that kill', () => {
    const others = report.map((_, i) => i).filter((i) => i !== killLine);
    fc.assert(
      fc.property(fc.subarray(others), (kept) => {
        const lines = [...kept, killLine].sort((a, b) => a - b).map((i) => report[i]);
        const kills = parseKernelLog(lines.join('\n'), reference);
        expect(kills.map((kill) => [kill.pid, kill.process, kill.anonRssKb])).toEqual([
          [3359, '(sd-pam)', 32384],
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('that keeps only the oom-kill summary line still yields the kill it names', () => {
    const summary = report.filter((line) => line.includes('oom-kill:'));
    const kills = parseKernelLog(summary.join('\n'), reference);
    expect(kills.map((kill) => [kill.pid, kill.process, kill.constraint])).toEqual([
      [3359, '(sd-pam)', 'CONSTRAINT_MEMCG'],
    ]);
  });

  it('never mixes the reports of two hosts interleaved line by line', () => {
    const a = report.map((line) => `Nov 25 16:58:01 host-a kernel: ${line}`);
    const b = report.map((line) => `Nov 25 16:58:01 host-b kernel: ${line.replace('(sd-pam)', 'other')}`);
    const interleaved = a.flatMap((line, i) => [line, b[i] ?? '']);
    const kills = parseKernelLog(interleaved.join('\n'), reference);
    expect(kills.map((kill) => [kill.hostname, kill.process, kill.tasks.length])).toEqual([
      ['host-a', '(sd-pam)', 1],
      ['host-b', 'other', 1],
    ]);
  });
});

describe('lines from CloudWatch Logs events', () => {
  const syslogKill =
    'Nov 25 16:58:01 host kernel: Out of memory: Killed process 42 (java) total-vm:1kB, anon-rss:2kB, file-rss:0kB';

  it('take their time from the event when the line has no year, as Date#toISOString would print it', () => {
    // Within the dates JavaScript holds, and beyond them (a corrupt timestamp gives no time, never an error).
    const timestamp = fc.oneof(
      fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.constantFrom(0, -1, 8.64e15, 8.64e15 + 1, -8.64e15 - 1, 253_402_300_800_000, 1.5),
    );
    fc.assert(
      fc.property(fc.array(timestamp, { minLength: 1, maxLength: 8 }), (timestamps) => {
        const parser = new KernelLogParser(reference);
        const kills = timestamps.flatMap((timestampMs, i) => [
          ...parser.pushLine(syslogKill, { logStream: 's', eventId: String(i), timestampMs }),
        ]);
        kills.push(...parser.end());
        expect(kills.map((kill) => kill.time)).toEqual(
          timestamps.map((ms) => (Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : null)),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('may share one source object: the parser keeps copies, not the object', () => {
    const parser = new KernelLogParser(reference);
    const source = { logGroup: 'g', logStream: 's', eventId: 'summary-event', timestampMs: 1 };
    const summaryOnly = report.find((line) => line.includes('oom-kill:')) ?? '';
    parser.pushLine(summaryOnly, source);
    source.eventId = 'next-event';
    source.timestampMs = 2;
    parser.pushLine('an unrelated line', source);
    const [kill] = parser.end();
    expect(kill?.eventId).toBe('summary-event');
  });

  it('returns an empty list that cannot be changed for lines that finish no kill', () => {
    const parser = new KernelLogParser(reference);
    const none = parser.pushLine('nothing to see');
    expect(none).toEqual([]);
    expect(Object.isFrozen(none)).toBe(true);
  });
});
