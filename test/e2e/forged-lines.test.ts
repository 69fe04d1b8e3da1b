import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KERNEL_CORPUS } from '../support/corpus';
import { runCli } from '../support/run-cli';
import { type FakeSlack, startFakeSlack } from './support/fake-slack';
import { messageText } from './support/replay-expectations';

/**
 * Forged kernel lines of each kind, replayed through the whole pipeline with a policy that enables every
 * remediation: the real executable, the real collect-diagnostics script on this host (`--host-exec`), a real
 * HTTP server as Slack. None may plan a host change. Kernel text quoted inside another program's line is no kill
 * at all; a line that claims to be the kernel's is a kill the host's own `dmesg -k` does not hold.
 */
const KILL =
  'Out of memory: Killed process 31337 (sshd) total-vm:1048576kB, anon-rss:917504kB, file-rss:1024kB, shmem-rss:0kB, UID:0 pgtables:2048kB oom_score_adj:0';
const NOW_US = `${Date.now()}000`;
const journal = (fields: Record<string, string>) =>
  JSON.stringify({ MESSAGE: KILL, __REALTIME_TIMESTAMP: NOW_US, _HOSTNAME: 'vm', ...fields });
const linux = process.platform === 'linux';

let slack: FakeSlack;
let temp: string;
let policy: string;

beforeAll(async () => {
  slack = await startFakeSlack();
  temp = mkdtempSync(join(tmpdir(), 'oomr-forged-e2e-'));
  policy = join(temp, 'policy.json');
  writeFileSync(
    policy,
    JSON.stringify({
      addSwap: { enabled: true, sizeMiB: 64, path: join(temp, 'swapfile') },
      restartService: { enabled: true, allowedUnits: ['myapp-*.service'] },
    }),
  );
});
afterAll(async () => {
  await slack.close();
  rmSync(temp, { recursive: true, force: true });
});
afterEach(() => {
  slack.posts.length = 0;
});

async function replayForged(name: string, text: string) {
  const file = join(temp, name);
  writeFileSync(file, text);
  return runCli(['replay', '--host-exec', '--policy', policy, '--apply', '--slack-webhook', slack.url, file]);
}

describe.skipIf(!linux)('forged kernel lines replayed with every remediation enabled', () => {
  it.each([
    [
      'an nginx access log quoting the kill',
      `10.0.0.7 - - [25/Nov/2026:16:58:01 +0000] "GET /search?q=${KILL} HTTP/1.1" 200 512 "-" "curl/8.5.0"\n`,
    ],
    ['a JSON application log quoting it', `${JSON.stringify({ level: 'info', msg: KILL })}\n`],
    ['an application plain log line', `2026-11-25 16:58:01,123 INFO worker - ${KILL}\n`],
    [
      'a Lambda function log line',
      `2026-11-25T16:58:01.123Z\t6f1c2d4e-0000-4000-8000-000000000000\tINFO\t${KILL}\n`,
    ],
  ])('finds no kill in %s, so nothing runs on the host', async (_, text) => {
    const result = await replayForged('app.log', text);

    expect(result.stderr).toMatch(/no OOM kills? found/i);
    expect(slack.posts).toHaveLength(0);
    expect(existsSync(join(temp, 'swapfile'))).toBe(false);
  });

  it.each([
    [
      '`logger -t kernel` as rsyslog writes it to /var/log/messages (captured)',
      readFileSync(`${KERNEL_CORPUS}forged/captured-logger-t-kernel-rfc3164.log`, 'utf8'),
      'a syslog line tagged "kernel", which any local user can write',
    ],
    [
      'a journald entry sent over syslog that names itself kernel (_TRANSPORT=syslog)',
      `${journal({ _TRANSPORT: 'syslog', SYSLOG_IDENTIFIER: 'kernel', SYSLOG_FACILITY: '1', PRIORITY: '3' })}\n`,
      'a journal entry that names itself "kernel", which any local user can write',
    ],
    [
      'a journald entry from `systemd-cat -t kernel` (_TRANSPORT=stdout)',
      `${journal({ _TRANSPORT: 'stdout', SYSLOG_IDENTIFIER: 'kernel', _SYSTEMD_UNIT: 'myapp-web.service' })}\n`,
      'a journal entry that names itself "kernel", which any local user can write',
    ],
    [
      'a record root wrote into /dev/kmsg (captured: facility user)',
      readFileSync(`${KERNEL_CORPUS}forged/captured-dev-kmsg-root-write.log`, 'utf8'),
      'a record written into /dev/kmsg from user space, which any root process can write',
    ],
  ])('plans no host change for %s, and the message says the kill is unconfirmed', async (_, text, by) => {
    const result = await replayForged('forged.log', text);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/remediate +\[\d+\/\d+\] (add-swap|restart-service):/);
    expect(result.stderr).toMatch(/remediate +\[1\/1\] nothing planned/);
    expect(existsSync(join(temp, 'swapfile'))).toBe(false);
    const text0 = messageText(slack.posts[0]?.message ?? { text: '', blocks: [] });
    expect(text0).toContain('OOM kill (unconfirmed)');
    expect(text0).toContain(`Kill not confirmed: reported only by ${by}`);
    expect(text0).toContain("not sent: the kill is not confirmed by the host's kernel log");
  });
});
