import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { causeContainedOom, containedOomSupport } from '../../cli/local/contained-oom';
import { parseKernelLog } from '../../functions/core/kernel-log';
import { runCli } from '../support/run-cli';
import { type FakeSlack, startFakeSlack } from './support/fake-slack';
import { killMentions, matchesHostMemory, messageText } from './support/replay-expectations';

const support = containedOomSupport();
const reason = support.supported ? '' : ` (skipped: ${support.reason})`;

let slack: FakeSlack;
let temp: string;

beforeAll(async () => {
  slack = await startFakeSlack();
  temp = mkdtempSync(join(tmpdir(), 'oomr-real-oom-'));
});
afterAll(async () => {
  await slack.close();
  rmSync(temp, { recursive: true, force: true });
});
afterEach(() => {
  slack.posts.length = 0;
});

/** The delivered message that names this victim, as `comm (pid N)`. */
function messageNaming(who: string): string {
  const texts = slack.posts.map((post) => messageText(post.message));
  const text = texts.find((t) => t.includes(who));
  if (!text) throw new Error(`no delivered message names ${who}; got:\n${texts.join('\n---\n')}`);
  return text;
}

// A real kernel, a real report: each victim outgrows a small memory cgroup of the test's own, never the host.
describe.skipIf(!support.supported)(`a real, contained OOM kill, end to end${reason}`, () => {
  it('is replayed with --host-exec to Slack: the message names the killed process, its pid and RSS, and this host’s memory', async () => {
    const oom = await causeContainedOom({ comm: 'oom e2e (x):1', limitMiB: 96 });
    const kill = parseKernelLog(oom.kernelRecords.join('\n')).find((k) => k.pid === oom.pid);
    if (!kill) throw new Error('the kernel report of the contained OOM was not parsed');
    const records = join(temp, 'kmsg.log');
    writeFileSync(records, `${oom.kernelRecords.join('\n')}\n`);

    const result = await runCli(['replay', '--host-exec', '--slack-webhook', slack.url, records]);

    expect(result.code, result.stderr).toBe(0);
    const { who, rss } = killMentions(kill);
    expect(who).toBe(`oom e2e (x):1 (pid ${oom.pid})`);
    const text = messageNaming(who);
    expect(rss).not.toBeNull();
    expect(text).toContain(rss ?? '');
    expect(text).toContain(`limit ${oom.limitMiB} MiB`);
    expect(matchesHostMemory(text), text).toBe(true);
    expect(text).toContain('diagnostics collected');
    for (const output of [result.stdout, result.stderr]) {
      expect(output).not.toContain(slack.url);
      expect(output).not.toContain(slack.secretPath);
    }
  });

  it('is what `oom-responder demo` causes and reports, posting to Slack when given a webhook', async () => {
    const result = await runCli(['demo', '--slack-webhook', slack.url]);

    expect(result.code, result.stderr).toBe(0);
    const caused =
      /caused a real OOM kill: pid (\d+) \(oom-demo\) outgrew its 96 MiB child memory cgroup/.exec(
        result.stderr,
      );
    expect(caused, result.stderr).not.toBeNull();
    const text = messageNaming(`oom-demo (pid ${caused?.[1]})`);
    expect(text).toMatch(/\*Killed:\* oom-demo \(pid \d+\): RSS \d+ MiB/);
    expect(matchesHostMemory(text), text).toBe(true);
    expect(result.stdout).toContain("Replayed the kernel's report of the demo's own kill");
    expect(result.stdout).toContain('Slack: posted to the webhook');
    expect(result.stdout).not.toContain(slack.url);
  });
});
