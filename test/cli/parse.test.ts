import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeSubscriptionEvent } from '../../functions/core/cloudwatch/subscription-payload';
import { KERNEL_CORPUS } from '../support/corpus';
import { runCli, runMain } from '../support/run-cli';

const sample = (path: string): string => `${KERNEL_CORPUS}${path}`;

describe('oom-responder parse', () => {
  it('prints one JSON object per kill, in input order, from the real executable', async () => {
    const result = await runCli(['parse', sample('transports/captured-6.18-dmesg-T-ru.log')]);
    expect(result.code).toBe(0);
    const kills = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(kills.map((kill) => [kill.pid, kill.process])).toEqual([
      [4847, 'big holder'],
      [4888, 'small grower'],
    ]);
  });

  it('reads stdin when no file is given', async () => {
    const result = await runCli(['parse'], {
      stdin:
        '[ 2802.635229] Killed process 7267 (a.out) total-vm:4176kB, anon-rss:84kB, file-rss:0kB, shmem-rss:0kB\n',
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({ pid: 7267, process: 'a.out', anonRssKb: 84 });
  });

  it('reads a CloudWatch Logs subscription event saved to a file, taking the host from the message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oom-parse-'));
    const file = join(dir, 'event.json');
    const event = encodeSubscriptionEvent({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: '/ec2/kernel',
      logStream: 'i-0abc1234def567890',
      subscriptionFilters: ['oom'],
      logEvents: [
        {
          id: '37516444594218164406966592290412038135079041373000990720',
          timestamp: 1795627850077,
          message:
            'Nov 25 17:30:50 ip-10-0-1-5 kernel: [  321.765330] Memory cgroup out of memory: Killed process 3920 (python3) total-vm:55340kB, anon-rss:39552kB, file-rss:6724kB, shmem-rss:0kB, UID:0 pgtables:144kB oom_score_adj:0',
        },
      ],
    });
    writeFileSync(file, JSON.stringify(event, null, 2));
    const result = await runMain(['parse', file]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      pid: 3920,
      hostname: 'ip-10-0-1-5',
      logStream: 'i-0abc1234def567890',
      logGroup: '/ec2/kernel',
      transport: 'cloudwatch',
      time: '2026-11-25T17:30:50.077Z',
      cgroup: true,
    });
  });

  it('prints a table with --pretty, and says so when there is no kill', async () => {
    const table = await runMain(['parse', '--pretty', sample('modern/host-v1-memcg-sd-pam.log')]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^WHEN\s+HOST\s+PID\s+PROCESS/);
    expect(table.stdout).toContain('(sd-pam)');
    const none = await runMain([
      'parse',
      '--pretty',
      sample('negative/java-outofmemoryerror-littlebit-2.log'),
    ]);
    expect(none).toMatchObject({ code: 0, stdout: 'No OOM kills found.\n' });
  });

  it('exits 0 with no output for input without kills', async () => {
    expect(await runMain(['parse', sample('negative/earlyoom-stdout-sigterm-205.log')])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it.each([
    [['parse', '/no/such/file'], /^oom-responder parse: cannot read \/no\/such\/file: no such file\n$/],
    [
      ['parse', '--no-such-flag'],
      /^oom-responder parse: unknown option '--no-such-flag' \(see oom-responder parse --help\)\n$/,
    ],
    [['parse', '--year', '26'], /^oom-responder parse: --year takes a four-digit year, got '26'\n$/],
    [['nonsense'], /^oom-responder: unknown command 'nonsense'/],
  ])('exits 2 with a one-line error for %j', async (args, message) => {
    const result = await runMain(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('fails on an unreadable file before reading any other', async () => {
    const result = await runMain(['parse', sample('modern/host-v1-memcg-sd-pam.log'), '/no/such/file']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
  });

  it('explains itself with --help', async () => {
    const result = await runMain(['parse', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: oom-responder parse');
    expect((await runMain(['--help'])).stdout).toContain('parse');
  });
});
