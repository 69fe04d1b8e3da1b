import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containedOomSupport } from '../../cli/local/contained-oom';
import { validateSlackMessage } from '../../functions/core/render/block-kit-limits';
import type { SlackMessage } from '../../functions/core/render/slack-blocks';
import { type Grower, memoryStatus, startGrower } from '../lib/ssm/support/grower';
import { DOCUMENTED_CONTRIBUTOR, earlyWarningEvent } from '../support/pressure-events';
import { runCli, runMain } from '../support/run-cli';

const temp = mkdtempSync(join(tmpdir(), 'oomr-replay-pressure-'));
const DOCUMENTED = 'test/fixtures/eventbridge/cloudwatch-alarm-contributor-state-change.json';
const INSTANCE = 'i-0abc1234def567890';
/** The documented event's own time: the series below end there. */
const WARNED_MS = Date.parse('2025-12-01T13:42:04.919Z');

function file(name: string, content: unknown): string {
  const path = join(temp, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/**
 * `aws cloudwatch get-metric-data` output for the hour before the warning: available memory at 6 % at the
 * warning, 0.4 points more each minute back (falling 24 points an hour); swap use 0 (no swap).
 */
function metricDataOutput(): unknown {
  const timestamps = Array.from({ length: 60 }, (_, i) =>
    new Date(WARNED_MS - (59 - i) * 60_000).toISOString(),
  );
  return {
    MetricDataResults: [
      {
        Id: 'm0',
        Label: 'mem_available_percent',
        Timestamps: [...timestamps].reverse(),
        Values: timestamps.map((_, i) => 6 + 0.4 * i),
        StatusCode: 'Complete',
      },
      {
        Id: 'm1',
        Label: 'swap_used_percent',
        Timestamps: timestamps,
        Values: timestamps.map(() => 0),
        StatusCode: 'Complete',
      },
    ],
    Messages: [],
  };
}
const EXPECTED_MINUTES = Math.round((6 / 24) * 60);

describe('oomr-responder replay --pressure without --host-exec (the bundled pressure-mode capture)', () => {
  it("replays AWS's documented contributor event as one instance's warning, printing one valid Slack payload", async () => {
    const result = await runMain(['replay', '--pressure', DOCUMENTED, '--instance', INSTANCE]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const message = JSON.parse(lines[0] ?? '{}') as SlackMessage;
    expect(validateSlackMessage(message)).toEqual([]);
    const detail = DOCUMENTED_CONTRIBUTOR.detail as { alarmName: string };
    const header = message.blocks[0];
    expect(header?.type === 'header' && header.text.text).toMatch(
      new RegExp(
        `^⚠️ \\[SAMPLE\\] Memory pressure on ${INSTANCE} \\(vm\\) \\(not confirmed by the host\\): oomr-grower \\(pid \\d+\\) grew `,
      ),
    );
    expect(JSON.stringify(message)).toContain(`alarmsV2:alarm/${detail.alarmName}`);
    for (const stage of ['diagnostics', 'analyze', 'remediate', 'notify'])
      expect(result.stderr).toMatch(new RegExp(`^✓ ${stage} `, 'm'));
    expect(result.stderr).toContain('(mode=pressure)');
    expect(result.stderr).toContain('no projection (metrics not-asked)');
  });

  it('projects from a get-metric-data file to the minutes its slope leaves, and prints the plain text with --pretty', async () => {
    const metrics = file('metrics.json', metricDataOutput());
    const event = file(
      'warning.json',
      earlyWarningEvent(INSTANCE, { state: { timestamp: '2025-12-01T13:42:04.919+0000' } }),
    );
    const result = await runMain(['replay', '--pressure', event, '--metrics', metrics, '--pretty']);
    expect(result.code).toBe(0);
    const [title] = result.stdout.split('\n');
    expect(title).toMatch(
      new RegExp(
        `^\\[SAMPLE\\] \\[WARNING\\] OOM likely on ${INSTANCE} \\(vm\\) in about ${EXPECTED_MINUTES} min \\(not confirmed by the host\\): `,
      ),
    );
    expect(result.stdout).toContain(
      `Available memory: falling 24 points/h over the last 20 min (21 points): 0 % available in about ${EXPECTED_MINUTES} min`,
    );
    expect(result.stdout).toContain('What to do now:');
    expect(result.stdout).toContain(`Replayed the memory-pressure warning pressure-20251201T134204-`);
  });

  it('says when an alarm mute rule mutes the warning (the function would answer nothing), and replays it anyway', async () => {
    const rule = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:maintenance';
    const muted = file(
      'muted.json',
      earlyWarningEvent(INSTANCE, {
        muteDetail: {
          mutedByArn: rule,
          muteWindowStart: '2025-12-01T13:00:00.000+0000',
          muteWindowEnd: '2025-12-01T15:00:00.000+0000',
        },
      }),
    );
    const result = await runMain(['replay', '--pressure', muted]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `an alarm mute rule mutes this warning (${rule}, until 2025-12-01T15:00:00.000Z): the pressure function would answer nothing; replayed anyway`,
    );
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    // AWS's own sample names a rule whose window comes a month after its change: no such note.
    const documented = await runMain(['replay', '--pressure', DOCUMENTED, '--instance', INSTANCE]);
    expect(documented.stderr).not.toContain('alarm mute rule');
  });

  it.each([
    [[DOCUMENTED], /names no InstanceId \(its attributes: TableName\).*give --instance ID/],
    [[DOCUMENTED, '--instance', 'web-3'], /--instance takes an EC2 instance id/],
    [[DOCUMENTED, '--instance', INSTANCE, '--apply'], /--apply needs --host-exec/],
    [[DOCUMENTED, '--instance', INSTANCE, 'kern.log'], /give no log FILE with it/],
    [[DOCUMENTED, '--instance', INSTANCE, '--metrics', '/nonexistent/metrics.json'], /cannot read --metrics/],
  ])('refuses %j with a reason (exit 2)', async (args, reason) => {
    const result = await runMain(['replay', '--pressure', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(reason);
  });

  it('refuses a metrics file of another shape, saying which shapes it reads', async () => {
    const bad = file('bad-metrics.json', { Datapoints: [] });
    const result = await runMain([
      'replay',
      '--pressure',
      DOCUMENTED,
      '--instance',
      INSTANCE,
      '--metrics',
      bad,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "is neither 'aws cloudwatch get-metric-data' output nor a list of series",
    );
  });

  it('says --metrics and --instance go with --pressure', async () => {
    const result = await runMain(['replay', '--metrics', 'x.json', 'kern.log']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--metrics and --instance go with --pressure');
  });
});

const support = containedOomSupport();
const reason = support.supported ? '' : ` (skipped: ${support.reason})`;
const RATE_MIB_PER_SECOND = 24;

describe.skipIf(!support.supported)(
  `oom-responder replay --pressure --host-exec, while a process grows in a memory cgroup of the test's own${reason}`,
  () => {
    let grower: Grower | undefined;
    let stdout = '';
    let code = -1;
    let before: { vmRssKb: number } = { vmRssKb: 0 };
    let after: { vmRssKb: number } = { vmRssKb: 0 };

    beforeAll(async () => {
      grower = await startGrower({
        comm: 'oomr-grower',
        limitMiB: 1024,
        baseMiB: 256,
        rateMiBPerSecond: RATE_MIB_PER_SECOND,
        maxMiB: 256 + RATE_MIB_PER_SECOND * 25,
        lifetimeMs: 60_000,
      });
      before = memoryStatus(grower.pid);
      const event = file('host-warning.json', earlyWarningEvent(INSTANCE));
      const metrics = file('host-metrics.json', metricDataOutput());
      const result = await runCli([
        'replay',
        '--pressure',
        event,
        '--metrics',
        metrics,
        '--host-exec',
        '--pretty',
      ]);
      after = memoryStatus(grower.pid);
      stdout = result.stdout;
      code = result.code;
      if (code !== 0) throw new Error(`replay failed (${code}): ${result.stderr}`);
    }, 120_000);

    afterAll(async () => {
      await grower?.stop();
    });

    it('runs the real script in pressure mode here and names the grower with a rate its allocation gives', () => {
      expect(code).toBe(0);
      expect(stdout).not.toContain('[SAMPLE]');
      const pid = grower?.pid ?? 0;
      const line = new RegExp(
        `^  oomr-grower \\(pid ${pid}\\): RSS [^,]+, anon [^,]+, swap [^,]+, growing ([\\d.]+) (MiB|GiB)/h$`,
        'm',
      ).exec(stdout);
      expect(line, stdout).not.toBeNull();
      const perHourMiB = Number(line?.[1]) * (line?.[2] === 'GiB' ? 1024 : 1);
      const allocated = RATE_MIB_PER_SECOND * 3600;
      expect(perHourMiB).toBeGreaterThan(allocated * 0.7);
      expect(perHourMiB).toBeLessThan(allocated * 1.3);
      // The kernel's own VmRSS moved by about that rate while the replay ran: the grower really grew.
      expect(after.vmRssKb).toBeGreaterThan(before.vmRssKb);
    });

    it('projects from the metrics file and changes nothing on the host (the default policy)', () => {
      expect(stdout.split('\n')[0]).toContain(`in about ${EXPECTED_MINUTES} min`);
      expect(stdout).toContain('Preventive swap: not planned (policy: add-swap is off)');
      expect(stdout).toContain('Diagnostics ran on this host');
    });
  },
);
