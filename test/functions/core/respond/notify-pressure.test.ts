import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryIncidentStore } from '../../../../functions/adapters/memory/incident-store';
import { MemoryWarningStore } from '../../../../functions/adapters/memory/warning-store';
import { WebhookSlackNotifier } from '../../../../functions/adapters/slack/webhook-notifier';
import { parsePolicy } from '../../../../functions/core/policy/policy';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { IncidentNotFoundError } from '../../../../functions/core/respond/analyze-incident';
import { analyzePressureWarning } from '../../../../functions/core/respond/analyze-pressure';
import { NotificationIncompleteError } from '../../../../functions/core/respond/notify-errors';
import { type NotifyPressurePorts, notifyPressure } from '../../../../functions/core/respond/notify-pressure';
import { pressureEvent, series, WARNED_AT } from '../../../support/pressure';
import { type FakeSlack, startFakeSlack, WEBHOOK_PATH } from '../../../support/slack-server';
import { CONFIG, RecordingSns } from './notify-harness';
import { ADD_SWAP_OUTPUT, CONFIRMED_DIAGNOSTICS_STDOUT, command } from './workflow-states';

const EXECUTION =
  'arn:aws:states:us-east-1:123456789012:execution:OomResponder-Pressure:pressure-20261125T031200-i-0abc1234def567890';
const falling = series('mem_available_percent', 60, (before) => 6 + 0.4 * before);

let slack: FakeSlack;
let store: MemoryWarningStore;
let sns: RecordingSns;
let ports: NotifyPressurePorts;
const logged: { message: string; fields: Record<string, unknown> }[] = [];

beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => {
  slack.requests.length = 0;
  slack.reply({ status: 200, body: 'ok' });
  store = new MemoryWarningStore();
  store.open(pressureEvent().incidentId);
  sns = new RecordingSns();
  logged.length = 0;
  ports = {
    store,
    slack: new WebhookSlackNotifier({ webhookUrl: async () => slack.url, sleep: async () => {} }),
    sns,
    telemetry: {
      info: (message, fields = {}) => logged.push({ message, fields }),
      warn: (message, fields = {}) => logged.push({ message, fields }),
      count: () => {},
    },
    now: () => new Date(Date.parse(WARNED_AT) + 3 * 60_000),
  };
});

/** The notify step's payload after a real analyze step over the captured stdout and a falling series. */
async function payload() {
  const state = {
    ...pressureEvent(),
    diagnostics: command({ Status: 'Success', ResponseCode: 0, stdout: CONFIRMED_DIAGNOSTICS_STDOUT }),
  };
  const analysis = await analyzePressureWarning(
    state,
    { store: new MemoryIncidentStore(), metrics: { read: async () => [falling] } },
    { policy: parsePolicy({}), documents: {}, outputBucket: CONFIG.outputBucket },
    new Date(Date.parse(WARNED_AT) + 2 * 60_000),
  );
  return { state: { ...state, analysis }, executionArn: EXECUTION };
}

describe('the notify step of a memory-pressure warning', () => {
  it('sends the warning once on each channel and records it; a retry sends nothing again', async () => {
    const result = await notifyPressure(await payload(), ports, CONFIG);
    expect(result).toMatchObject({ slack: { status: 'sent' }, sns: { status: 'sent', messageId: 'm-1' } });
    expect(slack.delivered()).toBe(1);
    expect(validateSlackMessage(slack.requests[0]?.body)).toEqual([]);
    expect(JSON.stringify(slack.requests[0]?.body)).toContain(
      'OOM likely on i-0abc1234def567890 (vm) in about 15 min',
    );
    expect(sns.published).toHaveLength(1);
    expect(sns.published[0]?.messageAttributes.eventType?.StringValue).toBe('oom-pressure');
    expect(sns.published[0]?.messageAttributes.format?.StringValue).toBe('text');
    expect(JSON.stringify(slack.requests[0]?.body)).toContain(`/executions/details/${EXECUTION}|Execution>`);

    const again = await notifyPressure(await payload(), ports, CONFIG);
    expect(again.slack.status).toBe('sent');
    expect(slack.requests).toHaveLength(1);
    expect(sns.published).toHaveLength(1);
    expect(logged.map((l) => l.message)).toContain('already notified');
  });

  it('sends only the missing channel on the retry after Slack asked to wait', async () => {
    slack.reply({ status: 429, headers: { 'retry-after': '600' }, body: 'rate_limited' });
    await expect(notifyPressure(await payload(), ports, CONFIG)).rejects.toBeInstanceOf(
      NotificationIncompleteError,
    );
    expect(sns.published).toHaveLength(1);
    slack.reply({ status: 200, body: 'ok' });
    const retried = await notifyPressure(await payload(), ports, CONFIG);
    expect(retried.slack.status).toBe('sent');
    // SNS carried it the first time: not published twice.
    expect(sns.published).toHaveLength(1);
    expect(slack.delivered()).toBe(1);
    expect(JSON.stringify((await store.getWarning(pressureEvent().incidentId))?.notification)).not.toContain(
      WEBHOOK_PATH,
    );
  });

  it('says what the preventive swap did when the workflow ran one', async () => {
    const base = await payload();
    const step = {
      action: 'add-swap' as const,
      documentName: 'OomResponder-AddSwap-1A2B3C4D5E6F',
      parameters: { sizeMiB: ['2048'], dryRun: ['false'] },
      dryRun: false,
      reason: 'preventive: add a 2.0 GiB swap file',
    };
    const withSwap = {
      ...base,
      state: {
        ...base.state,
        actions: [
          { step, command: command({ Status: 'Success', ResponseCode: 0, stdout: ADD_SWAP_OUTPUT.done }) },
        ],
      },
    };
    await notifyPressure(withSwap, ports, CONFIG);
    expect(sns.published[0]?.message).toContain(
      'Preventive swap (done): /swapfile.oom-responder (2048 MiB) is active swap and in /etc/fstab; verified: swapon-show-lists-path',
    );
  });

  it('refuses a warning the store never recorded, for the workflow to catch', async () => {
    const base = await payload();
    const unknown = { ...base, state: { ...base.state, incidentId: 'pressure-unrecorded' } };
    await expect(notifyPressure(unknown, ports, CONFIG)).rejects.toBeInstanceOf(IncidentNotFoundError);
    expect(slack.requests).toHaveLength(0);
  });
});
