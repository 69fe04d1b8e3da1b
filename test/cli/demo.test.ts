import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../functions/core/render/slack-blocks';
import { type FakeSlack, startFakeSlack } from '../e2e/support/fake-slack';
import { messageText } from '../e2e/support/replay-expectations';
import { runCli, runMain } from '../support/run-cli';

let slack: FakeSlack;

beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});

describe('oom-responder demo', () => {
  it('prints its help', async () => {
    const result = await runMain(['demo', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: oom-responder demo \[options\]/);
    expect(result.stdout).toContain('never host-wide');
  });

  it('replays the bundled real report with --sample, says so, and prints the Slack payload with --json', async () => {
    const result = await runCli(['demo', '--sample', '--json']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /^oom-responder demo: replaying a bundled real report \(--sample\): .*captured-6\.18-dev-kmsg\.log/,
    );
    const [payload] = result.stdout.split('\n').filter((line) => line.startsWith('{'));
    const text = messageText(JSON.parse(payload ?? '{}') as SlackMessage);
    expect(text).toContain('OOM kill (unconfirmed): python3 (pid 3920)');
    // Another host's kill: the header is labelled, and the message says what it was built from.
    const message = JSON.parse(payload ?? '{}') as SlackMessage;
    const header = message.blocks[0];
    expect(header?.type === 'header' ? header.text.text : '').toMatch(/^\S+ \[DEMO\] OOM kill/);
    expect(message.text.startsWith('[DEMO] OOM kill')).toBe(true);
    expect(text).toMatch(/A demo: built from a bundled kernel report of another host .*: the kill/);
    // What happened: the report's anon-rss + file-rss, and what its cgroup was charged.
    expect(text).toMatch(
      /\*Killed:\* python3 \(pid 3920\): RSS 45 MiB \(anon [\d.]+ MiB, file 6\.6 MiB, shmem [^;]+; charged to the cgroup: 39 MiB\)/,
    );
    // --json: stdout is the payload alone, the summary is on stderr.
    expect(result.stdout.trimEnd().split('\n')).toEqual([payload]);
    expect(result.stderr).toContain(
      'Replayed a bundled real kernel report (not from this host): 1 kill in 1 incident.',
    );
  });

  it('posts to the webhook named by OOM_RESPONDER_SLACK_WEBHOOK, never printing it', async () => {
    const result = await runCli(['demo', '--sample'], { env: { OOM_RESPONDER_SLACK_WEBHOOK: slack.url } });

    expect(result.code, result.stderr).toBe(0);
    expect(slack.posts).toHaveLength(1);
    expect(messageText(slack.posts[0]?.message ?? { text: '', blocks: [] })).toContain('python3 (pid 3920)');
    expect(result.stdout).toContain('Slack: posted to the webhook');
    for (const output of [result.stdout, result.stderr]) {
      expect(output).not.toContain(slack.url);
      expect(output).not.toContain(slack.secretPath);
    }
  });
});
