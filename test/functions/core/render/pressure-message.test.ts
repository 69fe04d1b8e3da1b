import { describe, expect, it } from 'vitest';
import type { DiagnosticsSummary } from '../../../../functions/core/diagnostics/model';
import { formatKiB } from '../../../../functions/core/format/bytes';
import { parsePolicy } from '../../../../functions/core/policy/policy';
import { analyzePressure } from '../../../../functions/core/pressure/analyze-pressure';
import type { PressureOutcome } from '../../../../functions/core/pressure/outcome';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { renderPressureQ } from '../../../../functions/core/render/pressure-q';
import { renderPressureSlack } from '../../../../functions/core/render/pressure-slack';
import { renderPressureSns } from '../../../../functions/core/render/pressure-sns';
import { renderPressureText } from '../../../../functions/core/render/pressure-text';
import { SNS_LIMITS } from '../../../../functions/core/render/sns';
import { actionResults } from '../../../../functions/core/respond/action-results';
import {
  PRESSURE_INSTANCE,
  pressureDiagnostics,
  pressureEvent,
  pressureSample,
  series,
} from '../../../support/pressure';
import { ADD_SWAP_OUTPUT, ADD_SWAP_STEP, command } from '../respond/workflow-states';

const EXECUTION =
  'arn:aws:states:us-east-1:123456789012:execution:OomResponder-Pressure:pressure-20261125T031200-i-0abc1234def567890';
// 6 % available, falling 0.4 points a minute (24 an hour): 15 minutes left.
const AVAILABLE_NOW = 6;
const FALL_PER_MINUTE = 0.4;
const falling = series('mem_available_percent', 60, (before) => AVAILABLE_NOW + FALL_PER_MINUTE * before);
const noSwap = series('swap_used_percent', 60, () => 0);

function outcome(
  overrides: {
    diagnostics?: DiagnosticsSummary;
    actions?: PressureOutcome['actions'];
    failure?: PressureOutcome['failure'];
  } = {},
): PressureOutcome {
  const event = pressureEvent();
  const summary = overrides.diagnostics ?? pressureDiagnostics();
  const analysis = analyzePressure({
    event,
    diagnostics: summary,
    series: [falling, noSwap],
    policy: parsePolicy({ addSwap: { enabled: true, preventive: true } }),
    recentActions: [],
    now: '2026-11-25T03:14:00.000Z',
  });
  const { diagnostics: _d, diagnosticsSendError: _s, ...warning } = event;
  return {
    warning,
    diagnostics: {
      status: 'collected',
      summary,
      detail: null,
      commandId: '0b5c1f2e-3d4a-4b6c-8d9e-0f1a2b3c4d5e',
      outputS3Uri: `s3://oomresponder-diagnostics-123456789012/diagnostics/${event.incidentId}/0b5c1f2e-3d4a-4b6c-8d9e-0f1a2b3c4d5e/`,
    },
    analysis,
    actions: overrides.actions ?? [],
    failure: overrides.failure ?? null,
    context: { partition: 'aws', region: 'us-east-1', accountId: '123456789012', executionArn: EXECUTION },
  };
}

/** The headline the figures above give, derived here from the inputs, not from the renderer. */
function expectedTitle(): string {
  const minutes = Math.round((AVAILABLE_NOW / (FALL_PER_MINUTE * 60)) * 60);
  const java = pressureSample().growth.find((g) => g.comm === 'java');
  const summary = pressureDiagnostics();
  const percent = Math.round(((summary.memory.availableKb ?? 0) / (summary.memory.totalKb ?? 1)) * 100);
  const host = `${PRESSURE_INSTANCE} (${summary.hostname?.split('.')[0]})`;
  return `OOM likely on ${host} in about ${minutes} min: java (pid ${java?.pid}) grew ${formatKiB(java?.kbPerHour ?? 0)}/h; ${percent} % available; swap none`;
}

describe('the memory-pressure message', () => {
  it('says when, who grows, what is left and the swap in every channel title', () => {
    const title = expectedTitle();
    expect(title).toBe(
      'OOM likely on i-0abc1234def567890 (ip-10-0-1-23) in about 15 min: java (pid 4242) grew 1.2 GiB/h; 6 % available; swap none',
    );
    const slack = renderPressureSlack(outcome());
    expect(slack.blocks[0]).toMatchObject({ type: 'header', text: { text: `\u26a0\ufe0f ${title}` } });
    expect(renderPressureText(outcome()).split('\n')[0]).toBe(`[WARNING] ${title}`);
    const q = renderPressureQ(outcome());
    expect(q.content.title).toBe(`\u26a0\ufe0f ${title}`);
    expect(q.metadata.eventType).toBe('OomPressure');
    const sns = renderPressureSns(outcome());
    expect(
      sns.subject.startsWith(
        '[OOM warning] OOM likely on i-0abc1234def567890 (ip-10-0-1-23) in about 15 min',
      ),
    ).toBe(true);
    expect(sns.subject.length).toBeLessThanOrEqual(SNS_LIMITS.subjectChars);
    expect(sns.subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('says what was measured: the alarm, the host own reading, the projection, PSI, the processes', () => {
    const text = renderPressureText(outcome());
    const summary = pressureDiagnostics();
    const stall = pressureSample().stall;
    expect(text).toContain(
      'Alarm: OomResponder-MemoryAvailable: mem_available_percent read 6 % (threshold 10 %), in ALARM at 03:12 UTC',
    );
    expect(text).toContain(
      `On the host at diagnosis (03:13 UTC): 6 % available (${formatKiB(summary.memory.availableKb ?? 0)} of ${formatKiB(summary.memory.totalKb ?? 0)}); no swap; confirms the alarm`,
    );
    expect(text).toContain(
      `Available memory: falling ${FALL_PER_MINUTE * 60} points/h over the last 20 min (21 points): 0 % available in about 15 min`,
    );
    expect(text).toContain(
      `Pressure stall (PSI): some ${stall?.some.avg10} % (10 s), ${stall?.some.avg60} % (60 s); full ${stall?.full?.avg10} % (10 s), ${stall?.full?.avg60} % (60 s)`,
    );
    for (const rollup of pressureSample().smaps)
      expect(text).toContain(
        `${rollup.comm} (pid ${rollup.pid}): RSS ${formatKiB(rollup.rssKb)}, anon ${formatKiB(rollup.anonymousKb ?? 0)}, swap ${formatKiB(rollup.swapKb ?? 0)}`,
      );
    expect(text).toContain('sudo cat /proc/4242/smaps_rollup');
    // A cap at 80 % of the host's RAM, in MiB.
    const capMiB = Math.floor(((summary.memory.totalKb ?? 0) * 0.8) / 1024);
    expect(text).toContain(
      `sudo systemctl set-property --runtime "$(ps -o unit= -p 4242)" MemoryMax=${capMiB}M`,
    );
    // The policy opts in and the host confirms: planned, and this outcome carries no result of it.
    expect(text).toContain(
      'Preventive swap: planned, but no result reached the notifier (see the execution)',
    );
  });

  it('links the alarm, the metric graph and the execution', () => {
    const text = renderPressureText(outcome());
    expect(text).toContain(
      'Alarm: https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/OomResponder-MemoryAvailable',
    );
    expect(text).toMatch(
      /Memory graph: https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#metricsV2:graph=~\(metrics~\(~\(~'CWAgent~'mem_available_percent~'InstanceId~'i-0abc1234def567890\)/,
    );
    expect(text).toContain(
      `Execution: https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXECUTION}`,
    );
  });

  it('keeps the Slack payload within Block Kit limits, also with every part at its longest', () => {
    expect(validateSlackMessage(renderPressureSlack(outcome()))).toEqual([]);
    const many = pressureDiagnostics({
      pressure: pressureSample({
        smaps: Array.from({ length: 40 }, (_, i) => ({
          pid: 1000 + i,
          comm: `worker-${'x'.repeat(8)}${i}`,
          rssKb: 100_000 - i,
          pssKb: null,
          anonymousKb: 90_000,
          swapKb: 0,
        })),
      }),
    });
    const long = outcome({
      diagnostics: many,
      failure: { stage: 'remediate', error: 'x'.repeat(5000) },
    });
    expect(validateSlackMessage(renderPressureSlack(long))).toEqual([]);
  });

  it('stays within every channel limit with every host and workflow string at its longest', () => {
    const comm = '<*&`@here~_x>';
    const worst = pressureDiagnostics({
      hostname: `${'h'.repeat(63)}.${'d'.repeat(180)}`,
      pressure: pressureSample({
        smaps: Array.from({ length: 5 }, (_, i) => ({
          pid: 4_194_300 + i,
          comm,
          rssKb: 900_000_000,
          pssKb: 900_000_000,
          anonymousKb: 900_000_000,
          swapKb: 900_000_000,
        })),
        growth: Array.from({ length: 5 }, (_, i) => ({
          pid: 4_194_300 + i,
          comm,
          rssKb: 900_000_000,
          previousRssKb: 1,
          sinceSeconds: 10,
          kbPerHour: 900_000_000_000,
        })),
      }),
    });
    const base = outcome({ diagnostics: worst, failure: { stage: 'remediate', error: '&<>'.repeat(3000) } });
    const long: PressureOutcome = {
      ...base,
      warning: { ...base.warning, alarmName: 'A'.repeat(255) },
      actions: [
        {
          action: 'add-swap',
          status: 'failed',
          summary: '*'.repeat(4000),
          verification: '<'.repeat(2000),
          commandId: null,
          exitCode: 1,
        },
      ],
    };
    const slack = renderPressureSlack(long);
    expect(validateSlackMessage(slack)).toEqual([]);
    const q = renderPressureQ(long);
    expect(q.content.title.length).toBeLessThanOrEqual(150);
    expect(q.content.description.length).toBeLessThanOrEqual(3500);
    const sns = renderPressureSns(long);
    expect(sns.subject.length).toBeLessThanOrEqual(SNS_LIMITS.subjectChars);
    expect(Buffer.byteLength(sns.message)).toBeLessThan(SNS_LIMITS.messageBytes);
    // Host text is escaped in mrkdwn: the comm's mention and markup never reach Slack as such (the header is
    // plain text, where Slack parses neither).
    expect(JSON.stringify(slack.blocks.slice(1))).not.toContain('@here');
    // A long line is cut by itself: the swap's failed result is still said, shortened.
    expect(JSON.stringify(slack)).toContain('Preventive swap (FAILED): ∗∗∗');
  });

  it('publishes to SNS with the attributes a subscription filters on', () => {
    const sns = renderPressureSns(outcome());
    expect(sns.messageAttributes).toMatchObject({
      eventType: { DataType: 'String', StringValue: 'oom-pressure' },
      severity: { StringValue: 'warning' },
      instance: { StringValue: PRESSURE_INSTANCE },
      process: { StringValue: 'java' },
      confirmed: { StringValue: 'confirmed' },
    });
    expect(sns.message).toBe(renderPressureText(outcome()));
    expect(sns.sms.length).toBeLessThanOrEqual(SNS_LIMITS.smsChars);
  });

  it('says a warning the host reads plenty for is not confirmed, first', () => {
    const summary = pressureDiagnostics();
    const plenty = pressureDiagnostics({ memory: { ...summary.memory, availableKb: 3_200_000 } });
    const text = renderPressureText(outcome({ diagnostics: plenty }));
    const [title, notice] = text.split('\n');
    expect(title).toContain('(not confirmed by the host)');
    expect(title).toContain('40 % available');
    expect(notice).toBe(
      "! Not confirmed by the host: the host read 40 % available, above the alarm's 10 %. Nothing was changed on it.",
    );
  });

  it("says what the preventive swap did, with the script's verification", () => {
    const done = actionResults([
      {
        step: ADD_SWAP_STEP,
        command: command({ Status: 'Success', ResponseCode: 0, stdout: ADD_SWAP_OUTPUT.done }),
      },
    ]);
    const text = renderPressureText(outcome({ actions: done }));
    expect(text).toContain(
      'Preventive swap (done): /swapfile.oom-responder (2048 MiB) is active swap and in /etc/fstab; verified: swapon-show-lists-path',
    );
    expect(text).toContain('A swap file was added: watch it take the pressure:');
    const dry = actionResults([
      {
        step: { ...ADD_SWAP_STEP, dryRun: true },
        command: command({ Status: 'Success', ResponseCode: 0, stdout: ADD_SWAP_OUTPUT.dryRun }),
      },
    ]);
    expect(renderPressureText(outcome({ actions: dry }))).toContain(
      'Preventive swap (dry run): dry run: all checks passed; nothing was changed',
    );
    const refused = actionResults([
      {
        step: ADD_SWAP_STEP,
        command: command({ Status: 'Success', ResponseCode: 0, stdout: ADD_SWAP_OUTPUT.refused }),
      },
    ]);
    expect(renderPressureText(outcome({ actions: refused }))).toContain(
      'Preventive swap (refused): refused: swap is already active (/dev/xvdb); not adding more',
    );
  });

  it('never shows a secret from the host or the workflow, on any channel', () => {
    const secret = 'https://deploy:s3cr3tPassw0rd@git.example.com/repo.git';
    const leaky = outcome({ failure: { stage: 'analyze', error: `clone failed: ${secret}` } });
    const rendered = [
      JSON.stringify(renderPressureSlack(leaky)),
      JSON.stringify(renderPressureSns(leaky)),
      renderPressureText(leaky),
      JSON.stringify(renderPressureQ(leaky)),
    ];
    for (const text of rendered) expect(text).not.toContain('s3cr3tPassw0rd');
  });

  it('without an analysis, still says the alarm and what is missing', () => {
    const bare: PressureOutcome = {
      ...outcome(),
      analysis: null,
      failure: { stage: 'analyze', error: 'Lambda.Unknown' },
    };
    const text = renderPressureText(bare);
    expect(text.split('\n')[0]).toBe(
      `[WARNING] Memory pressure on ${PRESSURE_INSTANCE} (ip-10-0-1-23): 6 % available`,
    );
    expect(text).toContain('! The analyze step failed: Lambda.Unknown');
    expect(validateSlackMessage(renderPressureSlack(bare))).toEqual([]);
  });
});
