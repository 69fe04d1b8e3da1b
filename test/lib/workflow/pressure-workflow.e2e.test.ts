import { readFileSync } from 'node:fs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAnalysisStore } from '../../../functions/adapters/dynamodb/analysis-store';
import { keys } from '../../../functions/adapters/dynamodb/items';
import { DynamoNotificationStore } from '../../../functions/adapters/dynamodb/notification-store';
import { DynamoPressureStore } from '../../../functions/adapters/dynamodb/pressure-store';
import { WebhookSlackNotifier } from '../../../functions/adapters/slack/webhook-notifier';
import { parsePolicy } from '../../../functions/core/policy/policy';
import { respondToWarning } from '../../../functions/core/pressure/respond-to-warning';
import { validateSlackMessage } from '../../../functions/core/render/block-kit-limits';
import { analyzePressureWarning } from '../../../functions/core/respond/analyze-pressure';
import { notifyPressure } from '../../../functions/core/respond/notify-pressure';
import type { PressureWorkflowInput } from '../../../functions/core/workflow/pressure-state';
import { CONFIG, RecordingSns } from '../../functions/core/respond/notify-harness';
import { type LocalDynamo, startLocalDynamo } from '../../support/dynalite';
import {
  type LocalStateMachine,
  localStateMachine,
  localStepFunctionsRuns,
  localStepFunctionsSkip,
} from '../../support/local-state-machine';
import { series } from '../../support/pressure';
import { earlyWarningEvent } from '../../support/pressure-events';
import { type FakeSlack, startFakeSlack } from '../../support/slack-server';
import { stateMachineDefinition, synthStack } from '../../support/synth';

/**
 * A memory-pressure warning from the rule to the message, every stage real but the transport: AWS's documented
 * contributor event (as an early-warning alarm sends it) through the pressure function's use case, the synthesized
 * pressure state machine in aws-local-stepfunctions (Node.js 22+), the collect-diagnostics document answered with
 * a real pressure-mode capture (samples/SOURCES.md), and the analyze and notify use cases the Lambdas run, all on
 * one incident table (dynalite), a fake Slack webhook and a recording SNS topic. It proves the contract between the
 * pressure function's item and the notifier's records, which no unit test of either side can.
 */
const INSTANCE = 'i-0abc1234def567890';
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:OomResponder-Pressure';
const CAPTURE = readFileSync(
  new URL('../../../samples/diagnostics/collect-diagnostics-debian12-pressure.stdout', import.meta.url),
  'utf8',
);
/** The documented event's time, and the minutes the workflow takes after it. */
const WARNED_MS = Date.parse('2025-12-01T13:42:04.919Z');
const at = (minutes: number) => new Date(WARNED_MS + minutes * 60_000);

/** The capture's fastest grower, read from its own summary lines (`pressure.growth.<n>.kbPerHour/comm/pid`). */
function fastestGrowerOfCapture(): { comm: string; pid: number } {
  const fields = new Map<string, Map<string, string>>();
  for (const match of CAPTURE.matchAll(/^pressure\.growth\.(\d+)\.(\w+)=(.*)$/gm)) {
    const [, n = '', key = '', value = ''] = match;
    const growth = fields.get(n) ?? new Map<string, string>();
    growth.set(key, value);
    fields.set(n, growth);
  }
  const [fastest] = [...fields.values()].sort(
    (a, b) => Number(b.get('kbPerHour')) - Number(a.get('kbPerHour')),
  );
  if (!fastest) throw new Error('the capture lists no growth');
  return { comm: String(fastest.get('comm')), pid: Number(fastest.get('pid')) };
}

let dynamo: LocalDynamo;
let slack: FakeSlack;
let machine: LocalStateMachine;

describe.skipIf(!localStepFunctionsRuns)(
  `a memory-pressure warning, rule to message${localStepFunctionsSkip}`,
  () => {
    beforeAll(async () => {
      dynamo = await startLocalDynamo();
      slack = await startFakeSlack();
      slack.reply({ status: 200, body: 'ok' });
      machine = await localStateMachine(stateMachineDefinition(synthStack().template, 'pressure'));
    }, 120_000);
    afterAll(async () => {
      await slack?.close();
      await dynamo?.close();
    });

    it('records, diagnoses, analyzes and warns once, and files the warning where a kill will find it', async () => {
      const tableName = await dynamo.createTable();
      const table = { client: dynamo.client, tableName };
      const started: PressureWorkflowInput[] = [];
      const silent = { info: () => {}, warn: () => {}, count: () => {} };

      // 1. The pressure function's use case on the documented event.
      const outcome = await respondToWarning(
        earlyWarningEvent(INSTANCE),
        {
          store: new DynamoPressureStore(table),
          workflow: {
            start: async (name, input) => {
              started.push(input);
              return {
                executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${name}`,
                alreadyStarted: false,
              };
            },
          },
          telemetry: silent,
          now: () => at(0),
        },
        { cooldownMs: 3_600_000, retentionMs: 30 * 86_400_000, stateMachineArn: STATE_MACHINE },
      );
      if (outcome.status !== 'started') throw new Error(`not started: ${outcome.status}`);
      const [input] = started;

      // 2. The synthesized state machine, with the Lambdas' use cases behind its tasks.
      const sns = new RecordingSns();
      const notifyPorts = {
        store: new DynamoNotificationStore(table),
        slack: new WebhookSlackNotifier({ webhookUrl: async () => slack.url, sleep: async () => {} }),
        sns,
        telemetry: silent,
        now: () => at(4),
      };
      let sent: Record<string, unknown> | undefined;
      const execution = machine.run(input, {
        overrides: {
          taskResourceLocalHandlers: {
            'Diagnostics: send command': async (task) => {
              sent = task;
              return { Command: { CommandId: 'cmd-1' } };
            },
            'Diagnostics: get command invocation': async () => ({
              Status: 'Success',
              StatusDetails: 'Success',
              ResponseCode: 0,
              StandardOutputContent: CAPTURE,
            }),
            Analyze: (state) =>
              analyzePressureWarning(
                state,
                {
                  store: new DynamoAnalysisStore(table),
                  // The hour before the warning, falling to the documented crossing datapoint (0.0).
                  metrics: {
                    read: async () => [
                      series('mem_available_percent', 60, (before) => 0.2 * before, at(0).toISOString()),
                    ],
                  },
                },
                { policy: parsePolicy({}), documents: {}, outputBucket: CONFIG.outputBucket },
                at(3),
              ),
            Notify: (payload) => notifyPressure(payload, notifyPorts, CONFIG),
          },
          waitTimeOverrides: { 'Diagnostics: wait': 0 },
          retryIntervalOverrides: {},
        },
        context: { Execution: { Id: outcome.executionArn, Input: input } },
      });
      const output = await execution.result;

      expect(sent?.Parameters).toMatchObject({ mode: ['pressure'] });
      const analysis = (
        output.analysis as { analysis: { kind: string; instanceId: string; grower: unknown } }
      ).analysis;
      expect(analysis).toMatchObject({ kind: 'pressure', instanceId: INSTANCE });
      expect(analysis.grower).toMatchObject({ kind: 'growing', ...fastestGrowerOfCapture() });
      expect(output.failure).toBeUndefined();

      // 3. One message per channel, within Slack's limits, naming the instance.
      expect(sns.published).toHaveLength(1);
      expect(sns.published[0]?.messageAttributes.eventType?.StringValue).toBe('oom-pressure');
      expect(sns.published[0]?.message).toContain(INSTANCE);
      expect(slack.requests).toHaveLength(1);
      expect(validateSlackMessage(slack.requests[0]?.body)).toEqual([]);

      // 4. The notifier recorded it on the pressure function's item; a retried notify step sends nothing again.
      const item = await dynamo.client.send(
        new GetCommand({ TableName: tableName, Key: keys.incident(outcome.incidentId) }),
      );
      expect(item.Item).toMatchObject({ kind: 'pressure', status: 'notified' });
      await notifyPressure(
        { state: { ...input, analysis: output.analysis }, executionArn: outcome.executionArn },
        notifyPorts,
        CONFIG,
      );
      expect(sns.published).toHaveLength(1);
      expect(slack.requests).toHaveLength(1);

      // 5. A kill on the instance within the day lists the warning, linked to its execution.
      const related = await new DynamoNotificationStore(table).incidentsOn(INSTANCE, WARNED_MS - 60_000);
      expect(related).toEqual([
        expect.objectContaining({
          incidentId: outcome.incidentId,
          killCount: 0,
          executionArn: outcome.executionArn,
          warning: { metric: 'mem_available_percent', latestValue: 0 },
        }),
      ]);
    }, 60_000);
  },
);
