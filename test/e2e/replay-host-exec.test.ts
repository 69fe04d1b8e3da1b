import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { causeContainedOom, containedOomSupport } from '../../cli/local/contained-oom';
import { validateSlackMessage } from '../../functions/core/render/block-kit-limits';
import { KERNEL_CORPUS } from '../support/corpus';
import { runCli } from '../support/run-cli';
import { type FakeSlack, startFakeSlack } from './support/fake-slack';
import { killMentions, killsIn, matchesHostMemory, messageText } from './support/replay-expectations';

/**
 * The whole pipeline as a user runs it: the real executable, real kernel reports from the corpus, the real
 * collect-diagnostics script on this host (`--host-exec`), and a real HTTP server on loopback as Slack.
 */
const VM_REPORT = `${KERNEL_CORPUS}transports/captured-6.18-rsyslog-imklog-rfc3164.log`;
const LTP_REPORT = `${KERNEL_CORPUS}transports/public-rfc3164-rhel7-memcg-ltp-1080.log`;
const linux = process.platform === 'linux';
const ADD_SWAP_SKIP = addSwapSkipReason(tmpdir());

let slack: FakeSlack;
let temp: string;

beforeAll(async () => {
  slack = await startFakeSlack();
  temp = mkdtempSync(join(tmpdir(), 'oomr-replay-e2e-'));
});
afterAll(async () => {
  await slack.close();
  rmSync(temp, { recursive: true, force: true });
});
afterEach(() => {
  slack.posts.length = 0;
  slack.answer(200, 'ok');
});

function expectNoSecret(output: { stdout: string; stderr: string }): void {
  for (const text of [output.stdout, output.stderr]) {
    expect(text).not.toContain(slack.url);
    expect(text).not.toContain(slack.secretPath);
  }
}

describe.skipIf(!linux)(
  `oom-responder replay --host-exec${linux ? '' : ' (skipped: the scripts need Linux)'}`,
  () => {
    it('posts one message per incident to Slack, naming every kill with its RSS, with this host’s memory', async () => {
      const result = await runCli([
        'replay',
        '--host-exec',
        '--slack-webhook',
        slack.url,
        VM_REPORT,
        LTP_REPORT,
      ]);

      expect(result.code, result.stderr).toBe(0);
      expectNoSecret(result);
      // Two hosts (vm, hgzmm3cs239), each within its cooldown: two incidents, two messages.
      expect(slack.posts).toHaveLength(2);
      for (const post of slack.posts) {
        expect(post.path).toBe(slack.secretPath);
        expect(post.contentType).toMatch(/^application\/json/);
        expect(validateSlackMessage(post.message)).toEqual([]);
      }
      const texts = slack.posts.map((post) => messageText(post.message));
      for (const path of [VM_REPORT, LTP_REPORT]) {
        const kills = killsIn(path);
        const first = kills[0];
        if (!first) throw new Error(`no kill parsed from ${path}`);
        const text = texts.find((t) => t.includes(killMentions(first).who)) ?? '';
        for (const kill of kills) {
          const { who, rss } = killMentions(kill);
          expect(text).toContain(who);
          if (rss) expect(text).toContain(rss);
        }
        expect(matchesHostMemory(text), text).toBe(true);
        expect(text).toContain('diagnostics collected');
      }
      // One progress line per stage, with its time: detect, then four stages per incident.
      const stages = result.stderr.split('\n').filter((line) => /^✓ \w+ .* \([\d.]+ ms\)$/.test(line));
      expect(stages.map((line) => line.split(/\s+/)[1])).toEqual([
        'detect',
        ...['diagnostics', 'analyze', 'remediate', 'notify'],
        ...['diagnostics', 'analyze', 'remediate', 'notify'],
      ]);
      // No --pretty: stdout is for payloads (none with a webhook); the summary is on stderr.
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('Slack: posted to the webhook');
      expect(result.stderr).toMatch(/^Replayed .*: 6 kills in 2 incidents\./m);
    });

    it.skipIf(ADD_SWAP_SKIP !== null)(
      `runs add-swap as a dry run for a kill this host's kernel confirms: no swap file, the message says dry run${
        ADD_SWAP_SKIP ? ` (skipped: ${ADD_SWAP_SKIP})` : ''
      }`,
      async () => {
        // A kill of this boot on this host, so `dmesg -k` holds it: a real contained OOM, replayed as recorded.
        const oom = await causeContainedOom({ comm: 'oomr-swap-e2e', limitMiB: 64 });
        const records = join(temp, 'kmsg-swap.log');
        writeFileSync(records, `${oom.kernelRecords.join('\n')}\n`);
        const swapfile = join(temp, 'swapfile');
        const policy = join(temp, 'policy.json');
        writeFileSync(policy, JSON.stringify({ addSwap: { enabled: true, sizeMiB: 64, path: swapfile } }));

        const result = await runCli([
          'replay',
          '--host-exec',
          '--policy',
          policy,
          '--slack-webhook',
          slack.url,
          records,
        ]);

        expect(result.code, result.stderr).toBe(0);
        expect(existsSync(swapfile)).toBe(false);
        expect(result.stderr).toMatch(/remediate +\[1\/1\] add-swap: dry-run, exit 0/);
        const text = messageText(slack.posts[0]?.message ?? { text: '', blocks: [] });
        expect(text).toContain("kill confirmed by the host's kernel log (dmesg -k)");
        expect(text).toContain('*Add swap* (dry run)');
        expect(text).toContain('nothing was changed');
        expectNoSecret(result);
      },
    );

    it('plans no host change for a kill this host never had (a report from another boot), and says why', async () => {
      const policy = join(temp, 'policy-other-boot.json');
      writeFileSync(policy, JSON.stringify({ addSwap: { enabled: true, sizeMiB: 64 } }));

      const result = await runCli([
        'replay',
        '--host-exec',
        '--policy',
        policy,
        '--slack-webhook',
        slack.url,
        VM_REPORT,
      ]);

      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(
        /remediate +\[1\/1\] nothing planned \(add-swap: not sent: the kill is not confirmed/,
      );
      const text = messageText(slack.posts[0]?.message ?? { text: '', blocks: [] });
      expect(text).toContain('OOM kill (unconfirmed): python3 (pid 3920)');
      expect(text).toMatch(
        /Kill not confirmed: reported only by a syslog line tagged "kernel", which any local user can write/,
      );
    });

    it('fails the notify stage (exit 1) when Slack refuses the message, after recording it, without the URL', async () => {
      slack.answer(400, 'invalid_payload');

      const result = await runCli(['replay', '--host-exec', '--slack-webhook', slack.url, VM_REPORT]);

      expect(result.code).toBe(1);
      expect(slack.posts).toHaveLength(1);
      expect(result.stderr).toMatch(/^✗ notify +\[1\/1\] Slack FAILED: Slack answered 400 invalid_payload/m);
      expect(result.stderr).toContain(
        '1 stage(s) failed:\n  notify [incident 1/1]: Slack did not take the message',
      );
      expect(result.stderr).toContain('Slack: NOT delivered (Slack answered 400 invalid_payload)');
      expectNoSecret(result);
    });
  },
);

/** Why add-swap's dry run would refuse here (and so say `refused`, not `dry run`), or null. */
function addSwapSkipReason(temp: string): string | null {
  if (!linux) return 'not Linux';
  const oom = containedOomSupport();
  if (!oom.supported) return `no contained OOM kill here (${oom.reason})`;
  const swaps = readFileSync('/proc/swaps', 'utf8').trim().split('\n');
  if (swaps.length > 1) return 'swap is already active on this host';
  const fsType =
    execFileSync('df', ['-PT', temp], { encoding: 'utf8' }).split('\n')[1]?.split(/\s+/)[1] ?? '';
  if (!/^(ext[234]|xfs)$/.test(fsType)) return `${temp} is on ${fsType}, which add-swap refuses`;
  if (existsSync('/var/lib/kubelet/config.yaml') || existsSync('/var/lib/kubelet/pods')) {
    return 'this host is a Kubernetes node';
  }
  return null;
}
