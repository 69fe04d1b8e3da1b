import { describe, expect, it } from 'vitest';
import type { DrillExecution } from '../../../cli/drill/ports';
import { type DrillOptions, runDrill } from '../../../cli/drill/run-drill';
import { DRILL_PROCESS } from '../../../functions/core/drill/drill-report';
import {
  EXECUTION_ARN,
  type FakeAccountOptions,
  fakeAccount,
  fakeClock,
  STACK,
  SUCCEEDED_ACTION,
  succeededExecution,
} from './fake-account';

const START = Date.UTC(2026, 11, 4, 20, 15);
const DRILL_ID = 'drill-20261204t2015-7f3a';
const INSTANCE = 'i-0123456789abcdef0';
const OPTIONS: DrillOptions = {
  drillId: DRILL_ID,
  stackName: 'OomResponder',
  instanceId: INSTANCE,
  requireSlack: true,
  pollIntervalMs: 1000,
  timeoutMs: 30_000,
  alarmTimeoutMs: 10_000,
};

async function drill(account: FakeAccountOptions, options: Partial<DrillOptions> = {}) {
  const clock = fakeClock(START);
  const fake = fakeAccount(clock, {
    instances: { [INSTANCE]: { OomResponder: 'enabled', Name: 'web-1' } },
    execution: succeededExecution(START),
    ...account,
  });
  const progress: string[] = [];
  const result = await runDrill(fake.ports, clock, { ...OPTIONS, ...options }, (line) => progress.push(line));
  const status = (name: string) => result.checks.find((c) => c.check === name)?.status;
  return { result, progress, fake, clock, status };
}

describe('runDrill: the whole success path', () => {
  it('writes the drill report on the instance stream, follows it to the notification, and passes every check', async () => {
    const { result, progress, fake, status } = await drill({ detectAfterPolls: 2, runningPolls: 1 });
    expect(fake.written).toHaveLength(1);
    const [report] = fake.written;
    expect(report?.logGroup).toBe(STACK.kernelLogGroup);
    expect(report?.stream).toBe(INSTANCE);
    expect(report?.lines.some((line) => line.includes(`Killed process 4242 (${DRILL_PROCESS})`))).toBe(true);
    expect(result.checks.map((c) => [c.check, c.status])).toEqual([
      ['stack', 'pass'],
      ['instance', 'pass'],
      ['report', 'pass'],
      ['incident', 'pass'],
      ['execution', 'pass'],
      ['notification', 'pass'],
      ['alarm', 'pass'],
    ]);
    expect(result.ok).toBe(true);
    expect(result.incidentId).toBe('inc-1');
    expect(result.executionArn).toBe(EXECUTION_ARN);
    // The detector answered on the third poll: two intervals after the write.
    expect(result.checks.find((c) => c.check === 'incident')?.detail).toBe(
      'incident inc-1 recorded after 2.0s',
    );
    expect(status('notification')).toBe('pass');
    expect(result.checks.find((c) => c.check === 'notification')?.detail).toBe(
      'SNS sent (message msg-0001); Slack sent',
    );
    // One line when each stage starts and one when it ends, with the elapsed time since the drill began.
    expect(progress.filter((line) => line.startsWith('  '))).toEqual([
      '  Diagnose: started at +4.0s',
      '  Diagnose: done at +9.0s (5.0s)',
      '  Analyze: started at +9.0s',
      '  Analyze: done at +10.0s (1.0s)',
      '  Notify: started at +10.0s',
      '  Notify: done at +11.5s (1.5s)',
    ]);
    expect(progress.at(-1)).toMatch(/^total \d+\.\ds$/);
    // The alarm went to ALARM and back to OK.
    expect(fake.alarmStates).toEqual([
      { alarm: STACK.alarmNames[0], state: 'ALARM' },
      { alarm: STACK.alarmNames[0], state: 'OK' },
    ]);
  });

  it('with --no-instance writes to a stream no instance resolves to, and follows it under that host', async () => {
    const { result, fake } = await drill({}, { instanceId: null });
    expect(fake.written[0]?.stream).toBe(`oom-responder-drill-${DRILL_ID}`);
    // In the drill's own key space, apart from the host's real incidents.
    expect(fake.incidentQueries[0]?.instanceKey).toBe(
      `drill:${DRILL_ID}:host:oom-responder-drill-${DRILL_ID}`,
    );
    expect(result.ok).toBe(true);
  });

  it('without --slack, a stack with no Slack webhook (skipped) still passes', async () => {
    const skipped = {
      sns: { status: 'sent', messageId: 'm-2', detail: null },
      slack: { status: 'skipped', detail: null },
    };
    expect((await drill({ notification: skipped }, { requireSlack: false })).result.ok).toBe(true);
    const strict = await drill({ notification: skipped });
    expect(strict.status('notification')).toBe('fail');
    expect(strict.result.checks.find((c) => c.check === 'notification')?.fix).toMatch(/slackWebhookSecret/);
  });
});

describe('runDrill: each failure, with its cause and fix', () => {
  it('no stack: fails the stack check, runs nothing else', async () => {
    const { result, fake } = await drill({ stack: null });
    expect(result.ok).toBe(false);
    expect(result.checks[0]).toMatchObject({
      check: 'stack',
      status: 'fail',
      detail: 'no stack named OomResponder',
    });
    expect(result.checks[0]?.fix).toMatch(/--stack NAME and --region R/);
    expect(result.checks.slice(1).every((c) => c.status === 'skipped')).toBe(true);
    expect(fake.written).toEqual([]);
    expect(fake.alarmStates).toEqual([]);
  });

  it('a stack without its kernel log group fails, naming what it lacks', async () => {
    const { result } = await drill({ stack: { ...STACK, kernelLogGroup: null } });
    expect(result.checks[0]?.detail).toBe(
      'stack OomResponder lacks the kernel log group (output KernelLogGroup)',
    );
  });

  it('untagged instance: says which tag it lacks and how to add it, writes nothing', async () => {
    const { result, fake, status } = await drill({ instances: { [INSTANCE]: { Name: 'web-1' } } });
    const check = result.checks.find((c) => c.check === 'instance');
    expect(check?.status).toBe('fail');
    expect(check?.detail).toBe(`instance ${INSTANCE} does not carry the tag OomResponder=enabled`);
    expect(check?.fix).toBe(
      `tag it: aws ec2 create-tags --resources ${INSTANCE} --tags Key=OomResponder,Value=enabled`,
    );
    expect(fake.written).toEqual([]);
    expect(status('report')).toBe('skipped');
    // Alarm delivery does not depend on the instance: still checked.
    expect(status('alarm')).toBe('pass');
  });

  it('an instance tagged with another value says the value it has', async () => {
    const { result } = await drill({ instances: { [INSTANCE]: { OomResponder: 'disabled' } } });
    expect(result.checks.find((c) => c.check === 'instance')?.detail).toBe(
      `instance ${INSTANCE} does not carry the tag OomResponder=enabled (it has OomResponder=disabled)`,
    );
  });

  it('no such instance', async () => {
    const { result } = await drill({ instances: {} });
    expect(result.checks.find((c) => c.check === 'instance')?.detail).toBe(
      `no instance ${INSTANCE} in this account and Region`,
    );
  });

  it('detector never records: fails the incident check at the timeout, polling at the interval', async () => {
    const { result, clock, status } = await drill({ detectAfterPolls: Number.POSITIVE_INFINITY });
    const check = result.checks.find((c) => c.check === 'incident');
    expect(check?.status).toBe('fail');
    expect(check?.detail).toBe(`no incident for drill ${DRILL_ID} after 30.0s`);
    expect(check?.fix).toMatch(/subscription filter on \/oom-responder\/kernel/);
    expect(status('execution')).toBe('skipped');
    expect(status('notification')).toBe('skipped');
    expect(clock.sleeps.slice(0, 30).every((ms) => ms === 1000)).toBe(true);
    expect(result.ok).toBe(false);
  });

  it('execution fails: names the failed stage, its error and cause', async () => {
    const [diagnose, analyze] = succeededExecution(START).stages;
    if (!diagnose || !analyze) throw new Error('the fixture has its stages');
    const failed: DrillExecution = {
      status: 'FAILED',
      stages: [diagnose, { ...analyze, failed: true }],
      error: 'Lambda.Unknown',
      cause: 'The analyze function timed out',
    };
    const { result, progress } = await drill({ execution: failed });
    const check = result.checks.find((c) => c.check === 'execution');
    expect(check).toMatchObject({
      status: 'fail',
      detail: 'execution FAILED in Analyze: Lambda.Unknown (The analyze function timed out)',
      cause: 'the Analyze stage failed',
    });
    expect(progress).toContain('  Analyze: FAILED at +10.0s (1.0s)');
    expect(result.ok).toBe(false);
  });

  it('Slack rejected: the record says failed, with Slack’s error as the cause', async () => {
    const rejected = {
      sns: { status: 'sent', messageId: 'msg-0001', detail: null },
      slack: { status: 'failed', detail: 'HTTP 404 no_service' },
    };
    const { result } = await drill({ notification: rejected }, { requireSlack: false });
    const check = result.checks.find((c) => c.check === 'notification');
    expect(check).toMatchObject({
      status: 'fail',
      detail: 'SNS sent (message msg-0001); Slack failed (HTTP 404 no_service)',
      cause: 'Slack rejected the webhook (HTTP 404 no_service)',
    });
    expect(check?.fix).toMatch(/create a new incoming webhook/);
  });

  it("alarm action failed: the topic's KMS key policy is named as the cause", async () => {
    const failedAction = {
      atMs: START,
      summary: 'Failed to execute action arn:aws:sns:us-east-1:111122223333:oom',
      data: JSON.stringify({
        actionState: 'Failed',
        notificationResource: 'arn:aws:sns:us-east-1:111122223333:oom',
        error:
          'null (Service: AmazonSNS; Status Code: 400; Error Code: KMSAccessDenied; Request ID: 0f1e; Proxy: null)',
      }),
    };
    const { result, fake } = await drill({ alarmHistory: [failedAction] });
    const check = result.checks.find((c) => c.check === 'alarm');
    expect(check?.status).toBe('fail');
    expect(check?.detail).toMatch(/^alarm OomResponder-DetectErrors: action failed: .*KMSAccessDenied/);
    expect(check?.cause).toBe("the topic's KMS key policy does not allow cloudwatch.amazonaws.com");
    // Set back to OK whatever the outcome.
    expect(fake.alarmStates.at(-1)).toEqual({ alarm: 'OomResponder-DetectErrors', state: 'OK' });
    expect(result.ok).toBe(false);
  });

  it('alarm action never shows: fails at the alarm timeout, with the enable-alarm-actions fix', async () => {
    const { result, fake } = await drill({ alarmHistory: [] });
    const check = result.checks.find((c) => c.check === 'alarm');
    expect(check?.detail).toBe('alarm OomResponder-DetectErrors: no action in its history after 10.0s');
    expect(check?.fix).toBe('aws cloudwatch enable-alarm-actions --alarm-names OomResponder-DetectErrors');
    expect(fake.alarmStates.map((s) => s.state)).toEqual(['ALARM', 'OK']);
  });

  it('a summary-only success item (no HistoryData) passes the alarm check', async () => {
    const { status } = await drill({ alarmHistory: [{ ...SUCCEEDED_ACTION, data: null }] });
    expect(status('alarm')).toBe('pass');
  });
});
