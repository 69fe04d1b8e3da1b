import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryIncidentStore } from '../../../functions/adapters/memory/incident-store';
import { detectBatch } from '../../../functions/core/detect/detect-batch';
import { drillReportLines } from '../../../functions/core/drill/drill-report';
import { parsePolicy } from '../../../functions/core/policy/policy';
import { renderSlackMessage } from '../../../functions/core/render/slack';
import { analyzeIncident } from '../../../functions/core/respond/analyze-incident';
import { responseOutcome } from '../../../functions/core/respond/notify-incident';
import { NotifyEventSchema } from '../../../functions/core/workflow/state';
import { CONFIRMED_DIAGNOSTICS_STDOUT } from '../../functions/core/respond/workflow-states';
import { resolvedInstance } from '../../support/kills';
import {
  type LocalStateMachine,
  localStateMachine,
  localStepFunctionsRuns,
  localStepFunctionsSkip,
} from '../../support/local-state-machine';
import { batchOf, recordingTelemetry, recordingWorkflow } from '../../support/subscription';
import { stateMachineDefinition, synthStack } from '../../support/synth';

/**
 * A drill from the detector through the synthesized state machine (aws-local-stepfunctions, Node.js 22+), with a
 * policy that enables both remediations: the real analyze use case plans none, no remediation command is sent, and
 * the state notify reads still carries the drill and its label. Every stage sees the flag.
 */
const INSTANCE = 'i-0a1b2c3d4e5f60789';
const DRILL_ID = 'drill-20261204t2015-7f3a';
const T0 = Date.parse('2026-12-04T20:15:00Z');
const POLICY = {
  addSwap: { enabled: true },
  restartService: { enabled: true, allowedUnits: ['myapp.service'] },
};
const DOCUMENTS = { addSwap: 'OomResponder-AddSwap', restartService: 'OomResponder-RestartService' };

let machine: LocalStateMachine;

describe.skipIf(!localStepFunctionsRuns)(
  `a drill through the response workflow${localStepFunctionsSkip}`,
  () => {
    beforeAll(async () => {
      machine = await localStateMachine(
        stateMachineDefinition(synthStack({ responder: { remediationPolicy: POLICY } }).template),
      );
    }, 60_000);

    it('reaches analyze and notify marked, plans and sends no remediation, and is labelled [DRILL]', async () => {
      const store = new MemoryIncidentStore();
      const batch = batchOf(drillReportLines({ drillId: DRILL_ID }), { logStream: INSTANCE, startMs: T0 });
      const workflow = recordingWorkflow();
      const { started } = workflow;
      await detectBatch(batch, {
        logs: {
          readWindow: async ({ startMs, endMs }) =>
            batch.logEvents.filter((e) => e.timestamp >= startMs && e.timestamp < endMs),
        },
        instances: { resolve: async () => resolvedInstance(INSTANCE) },
        store,
        workflow,
        telemetry: recordingTelemetry(),
        now: () => new Date(T0 + 2_000),
      });
      const [input] = started;
      expect(input?.drill).toEqual({ id: DRILL_ID });

      const calls: { state: string; input: Record<string, unknown> }[] = [];
      let notified: unknown;
      const handlers: Record<string, (input: Record<string, unknown>) => Promise<unknown>> = {
        'Diagnostics: send command': async () => ({ Command: { CommandId: 'cmd-1' } }),
        'Diagnostics: get command invocation': async () => ({
          Status: 'Success',
          ResponseCode: 0,
          StandardOutputContent: CONFIRMED_DIAGNOSTICS_STDOUT,
        }),
        Analyze: (state) =>
          analyzeIncident(
            state,
            store,
            { policy: parsePolicy(POLICY), documents: DOCUMENTS, outputBucket: 'bucket' },
            new Date(T0 + 60_000),
          ),
        'Remediation: send command': async () => ({ Command: { CommandId: 'cmd-2' } }),
        Notify: async (event) => {
          notified = event;
          return { notified: true };
        },
      };
      const recorded = Object.fromEntries(
        Object.entries(handlers).map(([state, handler]) => [
          state,
          async (taskInput: Record<string, unknown>) => {
            calls.push({ state, input: taskInput });
            return handler(taskInput);
          },
        ]),
      );
      const execution = machine.run(input, {
        overrides: {
          taskResourceLocalHandlers: recorded,
          waitTimeOverrides: { 'Diagnostics: wait': 0, 'Remediation: wait': 0 },
          retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((state) => [state, 0])),
        },
        context: {
          Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:oom:drill', Input: input },
        },
      });
      await execution.result;

      const states = calls.map((c) => c.state);
      // Diagnostics run (read-only) as for any kill; nothing else is sent to the host.
      expect(states).toContain('Diagnostics: send command');
      expect(states).not.toContain('Remediation: send command');
      expect(calls.find((c) => c.state === 'Analyze')?.input).toMatchObject({ drill: { id: DRILL_ID } });

      const event = NotifyEventSchema.parse((notified as { state: unknown }).state);
      expect(event.drill).toEqual({ id: DRILL_ID });
      expect(event.provenance?.kind).toBe('drill');
      const analysis = event.analysis as {
        steps: unknown[];
        analysis: { plan: { skipped: { reason: string }[] } };
      };
      expect(analysis.steps).toEqual([]);
      expect(analysis.analysis.plan.skipped.map((s) => s.reason)).toEqual([
        'a drill never changes a host',
        'a drill never changes a host',
      ]);

      // What notify renders from that state: the Slack header and text say DRILL.
      const incident = await store.getIncident(input?.incidentId ?? '');
      if (!incident) throw new Error('the drill incident is not in the store');
      const message = renderSlackMessage(
        responseOutcome(event, incident, null, {
          outputBucket: 'bucket',
          partition: 'aws',
          region: 'us-east-1',
        }),
      );
      const header = message.blocks[0];
      expect(header?.type === 'header' ? header.text.text : '').toContain('[DRILL]');
      expect(message.text.startsWith('[DRILL] ')).toBe(true);
      expect(message.text).toContain(`oom-responder drill ${DRILL_ID}`);
    });
  },
);
