import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeSubscriptionEvent } from '../../functions/core/cloudwatch/subscription-payload';
import { validateSlackMessage } from '../../functions/core/render/block-kit-limits';
import type { SlackMessage } from '../../functions/core/render/slack-blocks';
import { KERNEL_CORPUS } from '../support/corpus';
import { runCli, runMain } from '../support/run-cli';

const sample = (path: string): string => `${KERNEL_CORPUS}${path}`;

function payloads(stdout: string): SlackMessage[] {
  const messages = stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as SlackMessage);
  for (const message of messages) expect(validateSlackMessage(message)).toEqual([]);
  return messages;
}

function text(message: SlackMessage): string {
  return JSON.stringify(message.blocks);
}

/** A subscription payload as CloudWatch Logs delivers it: the real report of host-v1-memcg-sd-pam, one event a line. */
function subscriptionFile(): string {
  const lines = [
    '[  278.711346] (sd-pam) invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
    '[  278.711511] memory: usage 32768kB, limit 32768kB, failcnt 81463',
    '[  278.711585] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest1,task_memcg=/process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest1,task=(sd-pam),pid=3359,uid=0',
    '[  278.711602] Memory cgroup out of memory: Killed process 3359 ((sd-pam)) total-vm:48316kB, anon-rss:32384kB, file-rss:2668kB, shmem-rss:0kB, UID:0 pgtables:132kB oom_score_adj:0',
  ];
  const event = encodeSubscriptionEvent({
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/ec2/kernel',
    logStream: 'i-0abc1234def567890',
    subscriptionFilters: ['oom'],
    logEvents: lines.map((message, i) => ({
      id: `3751644459421816440696659229041213807907904137300099072${i}`,
      timestamp: 1795627850077 + i,
      message: `Nov 25 17:30:50 ip-10-0-1-5 kernel: ${message}`,
    })),
  });
  const file = join(mkdtempSync(join(tmpdir(), 'oom-preview-')), 'event.json');
  writeFileSync(file, JSON.stringify(event, null, 2));
  return file;
}

describe('oom-responder preview', () => {
  it('prints the Slack webhook payload for a kernel log, from the real executable', async () => {
    const result = await runCli(['preview', sample('modern/host-v1-memcg-sd-pam.log')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [message, ...rest] = payloads(result.stdout);
    expect(rest).toHaveLength(0);
    expect(message?.blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: '⚠️ OOM kill (unconfirmed): (sd-pam) (pid 3359) on an unknown host',
        emoji: false,
      },
    });
    expect(text(message as SlackMessage)).toContain(
      "• *Scope:* a cgroup's memory limit was reached, cgroup /process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest1: usage 32 MiB, limit 32 MiB, failcnt 81463",
    );
    expect(text(message as SlackMessage)).toContain('Instance not resolved');
    expect(message?.text).toMatch(/^OOM kill \(unconfirmed\): \(sd-pam\) \(pid 3359\) on an unknown host\n/);
  });

  it('reads a subscription payload, resolves the instance from the stream name, and links the logs', async () => {
    const result = await runMain(['preview', '--region', 'eu-west-1', subscriptionFile()]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [message] = payloads(result.stdout);
    const all = text(message as SlackMessage);
    expect(message?.blocks[0]).toMatchObject({
      text: { text: '⚠️ OOM kill (unconfirmed): (sd-pam) (pid 3359) on ip-10-0-1-5 (i-0abc1234def567890)' },
    });
    expect(all).toContain(
      'Diagnostics skipped: preview: built from the log alone, nothing was sent to any host.',
    );
    expect(all).not.toContain('Instance not resolved');
    expect(all).toContain(
      '<https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D~(end~',
    );
    expect(all).toContain("source~(~'*2fec2*2fkernel))|Logs around the kill>");
  });

  it('prints one payload per incident, one per line: kills of one host within 15 minutes join', async () => {
    const result = await runMain([
      'preview',
      '--year',
      '2026',
      sample('legacy/ubuntu1004-2.6.32-vps-console-vsz-six-kills.log'),
      sample('modern/docker-systemd-scope-global-redis-dmesg-T-6.8.log'),
    ]);
    expect(result.code).toBe(0);
    const messages = payloads(result.stdout);
    expect(
      messages.map((message) => (message.blocks[0]?.type === 'header' ? message.blocks[0].text.text : '')),
    ).toEqual([
      // The pool's largest worker (anon-rss:46432kB + file-rss:80kB) and the count, before the host.
      '🚨 OOM kill (unconfirmed): apache2 (pid 15599, 45 MiB, the largest) + 5 more kills of apache2 in 2 min on an unknown host',
      '🚨 OOM kill (unconfirmed): redis-server (pid 60540) on an unknown host',
    ]);
    expect(text(messages[0] as SlackMessage)).toContain('*6 kills of apache2 in 2 min: a worker pool*');
  });

  it('prints the plain-text rendering with --text', async () => {
    const result = await runMain([
      'preview',
      '--text',
      sample('modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log'),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^\[WARNING\] OOM kill \(unconfirmed\): xray \(pid 1586608\) on an unknown host\n/,
    );
    expect(result.stdout).toContain(
      'Unit / container / pod: pod 089f25ee-a41a-414c-a028-71a38dfb30d3, containerd c3f1de0d0969',
    );
    expect(result.stdout).toMatch(
      /^Scope: a cgroup's memory limit was reached, cgroup .*: usage 203 MiB, limit 200 MiB, failcnt 7470$/m,
    );
  });

  it('exits 0 with nothing on stdout when the input holds no kill', async () => {
    const result = await runMain(['preview', sample('negative/java-outofmemoryerror-littlebit-2.log')]);
    expect(result).toEqual({
      code: 0,
      stdout: '',
      stderr: 'oom-responder preview: no OOM kills found in the input\n',
    });
  });

  it.each([
    [['preview', '/no/such/file'], /^oom-responder preview: cannot read \/no\/such\/file: no such file\n$/],
    [
      ['preview', '--no-such-flag'],
      /^oom-responder preview: unknown option '--no-such-flag' \(see oom-responder preview --help\)\n$/,
    ],
    [
      ['preview', '--region', 'Mars'],
      /^oom-responder preview: --region takes a region name such as us-east-1, got 'Mars'\n$/,
    ],
    [
      ['preview', '--partition', 'aws-iso'],
      /^oom-responder preview: --partition takes aws, aws-cn or aws-us-gov/,
    ],
  ])('exits 2 with a one-line error for %j', async (args, message) => {
    const result = await runMain(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('explains itself with --help and is listed in the main help', async () => {
    const result = await runMain(['preview', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: oom-responder preview [options] [FILE...]');
    expect((await runMain(['--help'])).stdout).toMatch(/preview\s+print the Slack message/);
  });
});
