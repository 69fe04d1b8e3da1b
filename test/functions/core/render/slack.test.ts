import { describe, expect, it } from 'vitest';
import type { ResponseOutcome } from '../../../../functions/core/incident/outcome';
import type { Kill, TaskRow } from '../../../../functions/core/kernel-log';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import type { SectionBlock, SlackMessage } from '../../../../functions/core/render/slack-blocks';
import {
  bareOutcome,
  corpusKill,
  fullOutcome,
  INSTANCE,
  incidentFor,
  summary,
  swapAction,
  UNRESOLVED,
  withHistory,
  withJoinedKills,
} from './scenarios';

const JAVA = 'legacy/rhel6-2.6.32-642-global-java-full-syslog.log';

/** Everything the message says, in block order, as one string. */
function allText(message: SlackMessage): string {
  return message.blocks
    .map((block) => {
      if (block.type === 'header') return block.text.text;
      if (block.type === 'section')
        return [block.text?.text ?? '', ...(block.fields ?? []).map((f) => f.text)].join('\n');
      if (block.type === 'context') return block.elements.map((e) => e.text).join('\n');
      return '---';
    })
    .join('\n');
}

function header(message: SlackMessage): string {
  const first = message.blocks[0];
  return first?.type === 'header' ? first.text.text : '';
}

/** The blocks a reader sees before scrolling: the header and the next two sections. */
function firstScreen(message: SlackMessage): string {
  return allText({ text: '', blocks: message.blocks.slice(0, 3) });
}

function render(outcome: ResponseOutcome): SlackMessage {
  const message = renderSlackMessage(outcome);
  expect(validateSlackMessage(message)).toEqual([]);
  return message;
}

describe('renderSlackMessage', () => {
  it('names process, pid and host in the header, and puts cause and next step on the first screen', async () => {
    const message = render(fullOutcome(withHistory(incidentFor(await corpusKill(JAVA)))));
    expect(header(message)).toBe('🚨 OOM kill: java (pid 31995) on web-1 (i-0a1b2c3d4e5f60789)');
    expect(firstScreen(message)).toContain('*What happened* (stated by the kernel report)');
    expect(firstScreen(message)).toMatch(/\*Why \(likely cause\):\* java's maximum heap \(-Xmx 6 GiB\)/);
    expect(firstScreen(message)).toContain('*Next:* Lower -Xmx to 4g in orders.service');
    expect(message.text).toMatch(
      /^OOM kill: java \(pid 31995\) on web-1.*\nLikely cause: .*\nNext: Lower -Xmx/s,
    );
  });

  it('calls the top finding a possible cause when the analysis chose no likely cause', async () => {
    const outcome = fullOutcome(incidentFor(await corpusKill(JAVA)));
    if (outcome.analysis) outcome.analysis.likelyCause = null;
    const message = render(outcome);
    expect(firstScreen(message)).toContain("*Why (possible cause):* java's maximum heap");
    expect(message.text).toContain("Possible cause: java's maximum heap");
  });

  it('says what happened (scope, victim, trigger) from the report, and the rest as fields', async () => {
    const text = allText(render(fullOutcome(incidentFor(await corpusKill(JAVA)))));
    // The report's pages RAM, free:25773 pages and Total swap = 0kB; the victim's anon-rss and file-rss.
    expect(text).toContain('• *Scope:* the whole host ran out of memory: RAM 8.0 GiB, free 101 MiB, no swap');
    expect(text).toContain(
      '• *Killed:* java (pid 31995): RSS 3.4 GiB (anon 3.4 GiB, file 104 KiB, shmem 0 KiB)',
    );
    expect(text).toContain('• *Triggered by:* java (pid 3794)');
    expect(text).not.toContain('*RSS at kill*');
    expect(text).toContain('*Killed at*\n2026-05-17T17:00:28 (host clock)');
    expect(text).toContain('*Type / AZ*\nm5.large in us-east-1a');
    expect(text).toContain(
      '*Memory at diagnosis (17:00:52):* total 7.6 GiB · available 310 MiB (4%) · swap none',
    );
    expect(text).toContain('orders.service: active (running), 3 restarts, last result oom-kill');
  });

  it('lists the top processes with redacted command lines in a code block', async () => {
    const text = allText(render(fullOutcome(incidentFor(await corpusKill(JAVA)))));
    expect(text).toContain('*Top processes by RSS* (at diagnosis, command lines redacted)\n```');
    expect(text).toContain('-Dspring.datasource.password=[REDACTED]');
    expect(text).toContain('--requirepass [REDACTED]');
    expect(text).not.toContain('hunter2-db-pass');
  });

  it('says the recurrence with the RSS trend, from the history and this incident', async () => {
    const text = allText(render(fullOutcome(withHistory(incidentFor(await corpusKill(JAVA))))));
    expect(text).toContain(
      ':repeat: *Recurrence:* 3rd kill of java here in 24 h; RSS at kill 2.1 -&gt; 2.6 -&gt; 3.4 GiB (growing)',
    );
  });

  it('links the execution, the command output, the S3 output and the logs for the partition', async () => {
    const text = allText(render(fullOutcome(incidentFor(await corpusKill(JAVA)))));
    expect(text).toContain(
      '<https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/arn:aws:states:',
    );
    expect(text).toContain(
      '/systems-manager/run-command/1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d/i-0a1b2c3d4e5f60789?region=us-east-1|Diagnostics output>',
    );
    expect(text).toContain(
      '<https://s3.console.aws.amazon.com/s3/object/oom-responder-diagnostics-123456789012?region=us-east-1&prefix=diagnostics%2F',
    );
    expect(text).toMatch(
      /<https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#logsV2:logs-insights\$3FqueryDetail\$3D~\(end~'[^|]+\|Logs around the kill>/,
    );
  });

  it.each([
    [
      'done',
      ':white_check_mark: *Add swap* (done): Added a 2 GiB swap file',
      '_verified:_ swapon --show lists /swapfile.oom-responder (2G)',
    ],
    [
      'dry-run',
      ':test_tube: *Add swap* (dry run): Would add a 2 GiB swap file at /swapfile.oom-responder (dry run)',
      null,
    ],
    ['refused', ':no_entry: *Add swap* (refused): Refused: only 1.2 GiB free on /', null],
    [
      'failed',
      ':x: *Add swap* (FAILED): mkswap exited 1',
      'The add-swap remediation failed: read its command output.',
    ],
  ] as const)('renders a remediation that was %s', async (status, line, extra) => {
    const text = allText(render(fullOutcome(incidentFor(await corpusKill(JAVA)), swapAction(status))));
    expect(text).toContain(`*What was done*\n`);
    expect(text).toContain(line);
    if (extra) expect(text).toContain(extra);
    expect(text).toContain(
      ':fast_forward: *Restart service* (not planned): systemd already restarted orders.service',
    );
  });

  it('says what a dry-run plan would do when no result came back', async () => {
    const outcome = fullOutcome(incidentFor(await corpusKill(JAVA)), null);
    const plan = outcome.analysis?.plan.steps[0];
    if (plan) plan.dryRun = true;
    const text = allText(render(outcome));
    expect(text).toContain(
      ':test_tube: *Add swap* (planned, no result): dry-run: would add a 2 GiB swap file',
    );
  });

  it('says plainly when the instance is unresolved and that nothing was sent to the host', async () => {
    const message = render(
      bareOutcome(incidentFor(await corpusKill('modern/host-v1-memcg-sd-pam.log'), UNRESOLVED)),
    );
    expect(header(message)).toBe('⚠️ OOM kill (unconfirmed): (sd-pam) (pid 3359) on build-runner-7');
    expect(firstScreen(message)).toContain(
      ':warning: Instance not resolved (seen as build-runner-7): nothing was sent to the host, no diagnostics, no remediation.',
    );
    // Nothing asked the host, so nothing vouches for the line: said first, and the header says it too.
    expect(firstScreen(message)).toContain(
      ":warning: Kill not confirmed by the host's kernel log: the diagnostics did not run, so the host was not asked",
    );
    expect(allText(message)).toContain(
      '*What was done*\nNothing was sent to the host: the instance is unresolved.',
    );
    expect(allText(message)).toContain('*Instance*\nunresolved (build-runner-7)');
    expect(allText(message)).not.toContain('run-command');
  });

  it('says which stage failed and still shows what is known', async () => {
    const outcome: ResponseOutcome = {
      ...bareOutcome(incidentFor(await corpusKill(JAVA)), 'failed'),
      diagnostics: {
        status: 'timed-out',
        summary: null,
        detail: 'SSM command 1a2b3c4d timed out after 120 s (Delivery Timed Out)',
        commandId: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
        outputS3Uri: null,
      },
      failure: { stage: 'collect-diagnostics', error: 'States.Timeout: the command did not finish in 300 s' },
    };
    const message = render(outcome);
    const first = firstScreen(message);
    expect(first).toContain(
      ':warning: The response workflow failed at collect-diagnostics: States.Timeout: the command did not finish in 300 s.',
    );
    expect(first).toContain(
      ':warning: Diagnostics timed out: SSM command 1a2b3c4d timed out after 120 s (Delivery Timed Out).',
    );
    expect(allText(message)).toContain(
      '• *Scope:* the whole host ran out of memory: RAM 8.0 GiB, free 101 MiB, no swap',
    );
    expect(allText(message)).toContain('Nothing was changed on the host before the workflow failed.');
    expect(allText(message)).toContain('*Largest tasks at the kill* (kernel task table, 4 KiB pages)');
    expect(allText(message)).toContain('|Execution>');
  });

  it('names the systemd unit of a cgroup-confined kill and its limit', async () => {
    const kill = await corpusKill('modern/host-v1-memcg-nested-php-fpm.log');
    const outcome = fullOutcome(incidentFor(kill));
    outcome.diagnostics.summary = summary({
      unit: null,
      cgroup: {
        version: 1,
        path: kill.taskMemcg ?? '',
        limitBytes: 41_943_040,
        usageBytes: 41_000_000,
        oomKills: 7,
        swap: null,
      },
    });
    const text = allText(render(outcome));
    expect(header(render(outcome))).toContain('OOM kill: php-fpm: pool w (pid 3812) on web-1');
    expect(text).toContain(
      "• *Scope:* a cgroup's memory limit was reached, cgroup /process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest4, the parent of app.service: usage 40 MiB, limit 40 MiB",
    );
    expect(text).toContain('*Unit / container / pod*\napp.service');
    expect(text).toContain(
      'cgroup /process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest4/app.service: 39 MiB of 40 MiB limit, 7 OOM kills counted',
    );
  });

  it('names the docker container of a host-wide kill inside a container', async () => {
    const message = render(
      bareOutcome(incidentFor(await corpusKill('modern/docker-systemd-scope-global-redis-dmesg-T-6.8.log'))),
    );
    expect(header(message)).toContain('OOM kill (unconfirmed): redis-server (pid 60540) on web-1');
    expect(allText(message)).toContain('*Unit / container / pod*\ndocker 97f0fa6b72ce');
    expect(allText(message)).toContain(
      '• *Scope:* the whole host ran out of memory (CONSTRAINT_NONE): RAM 31 GiB, free 201 MiB, no swap',
    );
    // Nothing asked the host: checking the kill is real comes first.
    expect(allText(message)).toContain(
      "*Next:* First check the kill is real, on the host:\n```\nsudo dmesg -k | grep 'Killed process 60540'\n```",
    );
    expect(allText(message)).toContain('• Check whether redis-server is back, then find what filled');
  });

  it('names the Kubernetes pod and container of a pod limit kill', async () => {
    const text = allText(
      render(
        bareOutcome(incidentFor(await corpusKill('modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log'))),
      ),
    );
    expect(text).toContain(
      '*Unit / container / pod*\npod 089f25ee-a41a-414c-a028-71a38dfb30d3, containerd c3f1de0d0969',
    );
    expect(text).toContain('usage 203 MiB, limit 200 MiB, failcnt 7470');
    // Socket buffers filled this pod's limit (its memcg stats): the next step is not a larger limit.
    expect(text).toContain('Socket buffers filled the limit of the container');
    expect(text).not.toContain('raise the limit of the container');
  });

  it('renders a systemd-oomd kill, which names a unit and no pid', async () => {
    const message = render(
      bareOutcome(incidentFor(await corpusKill('modern/systemd-oomd-pressure-vte-spawn-scope.log'))),
    );
    expect(header(message)).toBe(
      '⚠️ OOM kill (unconfirmed): vte-spawn-dbb4a75e-031f-480d-924b-5de5af7579d2.scope (systemd-oomd) on web-1 (i-0a1b2c3d4e5f60789)',
    );
    expect(allText(message)).toContain(
      'systemd-oomd killed vte-spawn-dbb4a75e-031f-480d-924b-5de5af7579d2.scope on its rule: memory pressure for /user.slice',
    );
  });

  it('counts and lists the kills that joined the incident, saying how many are not listed', async () => {
    const kills: Kill[] = [];
    for (let i = 0; i < 6; i++)
      kills.push(await corpusKill('legacy/ubuntu1004-2.6.32-vps-console-vsz-six-kills.log', i));
    const [first, ...rest] = kills;
    if (!first) throw new Error('corpus changed');
    const incident = withJoinedKills(incidentFor(first), rest, 240);
    const message = render(fullOutcome(incident));
    // Sizes are known for the six listed only: the largest of those (pid 15599, anon-rss:46432kB), and the count.
    expect(header(message)).toBe(
      '🚨 OOM kill: apache2 (pid 15599, 45 MiB, the largest of the 6 listed) + 239 more kills (5 of them apache2 in 2 min) on web-1 (i-0a1b2c3d4e5f60789)',
    );
    expect(allText(message)).toContain('*240 kills in this incident* (234 not listed)');
    expect(allText(message)).toContain('• apache2 (pid 15573) 20 MiB at 505687.2s');
  });

  it('names every listed kill with its pid, even a crash loop of fifty', async () => {
    const first = await corpusKill('legacy/ubuntu1004-2.6.32-vps-console-vsz-six-kills.log', 0);
    const rest = Array.from({ length: 49 }, (_, i) => ({
      ...first,
      pid: 20_000 + i,
      kernelTime: (first.kernelTime ?? 0) + i,
    }));
    const message = render(fullOutcome(withJoinedKills(incidentFor(first), rest, 50)));
    expect(validateSlackMessage(message)).toEqual([]);
    for (const kill of rest) expect(allText(message)).toContain(`apache2 (pid ${kill.pid})`);
  });

  it('stays within limits with 200 stored kills, a huge task table and megabyte command lines', async () => {
    const kill = await corpusKill(JAVA);
    const tasks: TaskRow[] = Array.from({ length: 5000 }, (_, i) => ({
      ...(kill.tasks[0] as TaskRow),
      pid: 10_000 + i,
      name: `worker-${i}`.padEnd(15, '&'),
    }));
    const base = incidentFor({ ...kill, tasks });
    const incident = withJoinedKills(
      base,
      Array.from({ length: 199 }, (_, i) => ({ ...kill, pid: 20_000 + i, process: `java<${i}>&` })),
    );
    const huge = `/usr/bin/java ${'-Dx=<y>&z '.repeat(100_000)}`;
    const outcome = fullOutcome(incident);
    outcome.diagnostics.summary = summary({
      topProcesses: Array.from({ length: 15 }, (_, i) => ({
        pid: i + 2,
        rssKb: 1_000_000 - i,
        oomScore: 1,
        oomScoreAdj: 0,
        comm: 'java',
        cmdline: huge,
      })),
    });
    outcome.analysis?.findings.forEach((finding) => {
      finding.evidence = Array.from({ length: 500 }, (_, i) => ({
        kind: 'kernel' as const,
        text: `evidence line ${i} ${'x'.repeat(200)}`,
      }));
      finding.title = `${finding.title} ${'t'.repeat(5000)}`;
      finding.recommendation = {
        text: 'r'.repeat(10_000),
        code: 'c'.repeat(10_000),
        after: 'a'.repeat(10_000),
      };
    });
    const message = render(outcome);
    const text = allText(message);
    expect(text).toContain('… (truncated)');
    expect(text).toContain('*200 kills in this incident*');
    expect(text).toMatch(/… and \d+ more (kills|lines) \(truncated\)/);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(
      message.blocks
        .filter((b): b is SectionBlock => b.type === 'section')
        .every((b) => (b.text?.text.length ?? 0) <= 3000),
    ).toBe(true);
  });

  it('escapes host text in mrkdwn so it cannot mention the channel or forge links', async () => {
    const kill = { ...(await corpusKill(JAVA)), process: '<!channel> a&b', hostname: null };
    const incident = incidentFor(kill, { ...INSTANCE, name: '<https://evil.example|click>' });
    const message = render(bareOutcome(incident));
    // The header is plain_text, where Slack parses neither mentions nor links: it shows the name as it is.
    const mrkdwn = allText({ text: message.text, blocks: message.blocks.slice(1) });
    expect(mrkdwn).toContain('&lt;!channel&gt; a&amp;b');
    expect(mrkdwn).toContain('&lt;https://evil.example|click&gt;');
    expect(`${message.text}\n${mrkdwn}`).not.toContain('<!channel>');
    expect(mrkdwn).not.toContain('<https://evil');
  });
});
