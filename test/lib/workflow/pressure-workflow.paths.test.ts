import { beforeAll, describe, expect, it } from 'vitest';
import { instancePressure } from '../../../functions/core/pressure/contributor-event';
import {
  pressureIncidentOf,
  pressureWorkflowInput,
} from '../../../functions/core/pressure/pressure-incident';
import {
  PressureAnalyzeEventSchema,
  PressureNotifyEventSchema,
  PressureWorkflowInputSchema,
} from '../../../functions/core/workflow/pressure-state';
import {
  type LocalStateMachine,
  localStateMachine,
  localStepFunctionsRuns,
  localStepFunctionsSkip,
  type TaskHandler,
} from '../../support/local-state-machine';
import { earlyWarningEvent } from '../../support/pressure-events';
import { stateMachineDefinition, synthStack } from '../../support/synth';

/**
 * The pressure workflow's paths, executed by aws-local-stepfunctions (an ASL interpreter) on the synthesized
 * definition, with SSM and the Lambdas answered by recording fakes. Needs Node.js 22+: CI runs test/lib/workflow
 * again under Node 24 (.ci/run); under Node 20 it is skipped with that reason. The input is what the pressure
 * function makes of AWS's documented contributor event (test/fixtures/eventbridge), not one written for the test.
 */
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:OomResponder-Pressure';
const INPUT = pressureWorkflowInput(
  pressureIncidentOf(
    instancePressure(earlyWarningEvent('i-0abc1234def567890')),
    STATE_MACHINE,
    new Date('2025-12-01T13:42:06Z'),
  ),
);
const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:OomResponder-Pressure:${INPUT.incidentId}`;
const SWAP_STEP = {
  action: 'add-swap',
  documentName: 'OomResponder-AddSwap',
  parameters: { sizeMiB: ['2048'], dryRun: ['false'] },
  dryRun: false,
  reason: 'no swap, available memory falling',
};

let diagnoseOnly: LocalStateMachine;
let withSwap: LocalStateMachine;

function sdkError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

/** A run with the AWS SDK tasks and Lambdas answered by `handlers`, each call recorded; waits take no time. */
async function run(
  machine: LocalStateMachine,
  handlers: Record<string, TaskHandler>,
  input: unknown = INPUT,
) {
  const calls: { state: string; input: Record<string, unknown> }[] = [];
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
    context: { Execution: { Id: EXECUTION_ARN, Input: input } },
  });
  const output = await execution.result;
  return { output, calls, states: calls.map((c) => c.state) };
}

const sent = async () => ({ Command: { CommandId: 'cmd-1' } });
const invocation = (Status: string) => async () => ({
  Status,
  StatusDetails: Status,
  ResponseCode: Status === 'Success' ? 0 : 1,
  StandardOutputContent: '=== oom-responder summary v1 ===\nmode=pressure',
});
const analyzed =
  (steps: unknown[] = []) =>
  async () => ({ mode: 'pressure', projection: { minutesToExhaustion: 40 }, steps });
const notified = async () => ({ notified: true });
const notifyState = (calls: { state: string; input: Record<string, unknown> }[]): Record<string, unknown> => {
  const input = calls.findLast((c) => c.state === 'Notify')?.input as
    | { state?: Record<string, unknown> }
    | undefined;
  if (!input?.state) throw new Error('Notify was not invoked');
  return input.state;
};

describe.skipIf(!localStepFunctionsRuns)(`the pressure workflow's paths${localStepFunctionsSkip}`, () => {
  beforeAll(async () => {
    diagnoseOnly = await localStateMachine(stateMachineDefinition(synthStack().template, 'pressure'));
    withSwap = await localStateMachine(
      stateMachineDefinition(
        synthStack({ responder: { remediationPolicy: { addSwap: { enabled: true } } } }).template,
        'pressure',
      ),
    );
  }, 120_000);

  it('collects diagnostics in pressure mode, analyzes and notifies, each Lambda getting a state it accepts', async () => {
    const polls = ['InProgress', 'Success'];
    const { states, calls, output } = await run(diagnoseOnly, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': async () => invocation(polls.shift() ?? '')(),
      Analyze: analyzed(),
      Notify: notified,
    });
    expect(states).toEqual([
      'Diagnostics: send command',
      'Diagnostics: get command invocation',
      'Diagnostics: get command invocation',
      'Analyze',
      'Notify',
    ]);
    const send = calls[0]?.input as { Parameters: unknown; InstanceIds: string[]; OutputS3KeyPrefix: string };
    expect(send.InstanceIds).toEqual(['i-0abc1234def567890']);
    expect(send.Parameters).toEqual({ mode: ['pressure'] });
    expect(send.OutputS3KeyPrefix).toBe(`diagnostics/${INPUT.incidentId}/`);
    const analyzeInput = calls.find((c) => c.state === 'Analyze')?.input;
    expect(PressureAnalyzeEventSchema.parse(analyzeInput)).toMatchObject({
      ...INPUT,
      diagnostics: { commandId: 'cmd-1', polls: 2, invocation: { Status: 'Success' } },
    });
    const state = notifyState(calls);
    expect(PressureNotifyEventSchema.safeParse(state).success).toBe(true);
    // The raw command output is dropped before Notify: the analysis holds what it said.
    expect(Object.keys(state).sort()).toEqual(
      [...Object.keys(PressureWorkflowInputSchema.shape), 'analysis'].sort(),
    );
    expect(calls.find((c) => c.state === 'Notify')?.input.executionArn).toBe(EXECUTION_ARN);
    expect(output.notification).toEqual({ notified: true });
  });

  it('analyzes from the warning alone when SSM cannot send the command (agent offline)', async () => {
    const { states, calls } = await run(diagnoseOnly, {
      'Diagnostics: send command': async () => {
        throw sdkError(
          'Ssm.InvalidInstanceIdException',
          'Instances [[i-0abc1234def567890]] not in a valid state',
        );
      },
      Analyze: analyzed(),
      Notify: notified,
    });
    expect(states).toEqual(['Diagnostics: send command', 'Analyze', 'Notify']);
    expect(calls[1]?.input.diagnosticsSendError).toMatchObject({ Error: 'Ssm.InvalidInstanceIdException' });
  });

  it('notifies with the failure when the analysis fails', async () => {
    const { states, calls } = await run(diagnoseOnly, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': invocation('Success'),
      Analyze: async () => {
        throw sdkError('PressureAnalysisError', 'no metric datapoints');
      },
      Notify: notified,
    });
    expect(states.slice(-2)).toEqual(['Analyze', 'Notify']);
    const state = notifyState(calls);
    expect(state.failure).toMatchObject({
      stage: 'analyze',
      error: 'PressureAnalysisError',
      timeoutSeconds: 60,
    });
    expect(PressureNotifyEventSchema.safeParse(state).success).toBe(true);
  });

  it('has no remediation step when the policy allows none, even if the analysis planned one', async () => {
    const { states } = await run(diagnoseOnly, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': invocation('Success'),
      Analyze: analyzed([SWAP_STEP]),
      Notify: notified,
    });
    expect(states).not.toContain('Remediation: send command');
    expect(states.at(-1)).toBe('Notify');
  });

  it('goes straight to Notify when the analysis planned nothing, or returned no steps at all', async () => {
    for (const analysis of [analyzed([]), async () => ({ mode: 'pressure' })]) {
      const { states } = await run(withSwap, {
        'Diagnostics: send command': sent,
        'Diagnostics: get command invocation': invocation('Success'),
        Analyze: analysis,
        Notify: notified,
      });
      expect(states.slice(-2)).toEqual(['Analyze', 'Notify']);
    }
  });

  it('adds the planned swap file, waits for it, and hands Notify the action', async () => {
    const statuses = ['InProgress', 'Success'];
    const { states, calls } = await run(withSwap, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': invocation('Success'),
      Analyze: analyzed([SWAP_STEP]),
      'Remediation: send command': async () => ({ Command: { CommandId: 'cmd-swap' } }),
      'Remediation: get command invocation': async () => ({
        Status: statuses.shift(),
        StandardOutputContent: 'result=done reason=none verification=swap-active',
      }),
      Notify: notified,
    });
    expect(states.slice(-4)).toEqual([
      'Remediation: send command',
      'Remediation: get command invocation',
      'Remediation: get command invocation',
      'Notify',
    ]);
    const send = calls.find((c) => c.state === 'Remediation: send command')?.input as Record<string, unknown>;
    expect(send).toMatchObject({
      DocumentName: 'OomResponder-AddSwap',
      InstanceIds: ['i-0abc1234def567890'],
      Parameters: SWAP_STEP.parameters,
      OutputS3KeyPrefix: `remediation/${INPUT.incidentId}/`,
    });
    const state = notifyState(calls);
    expect(state.actions).toEqual([
      {
        step: SWAP_STEP,
        command: expect.objectContaining({
          commandId: 'cmd-swap',
          polls: 2,
          invocation: expect.objectContaining({ Status: 'Success' }),
        }),
      },
    ]);
    expect(PressureNotifyEventSchema.safeParse(state).success).toBe(true);
  });

  it('reports a swap file SSM refused to send (IAM allows only add-swap) as not sent, and still notifies', async () => {
    const { states, calls } = await run(withSwap, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': invocation('Success'),
      Analyze: analyzed([
        { ...SWAP_STEP, action: 'restart-service', documentName: 'OomResponder-RestartService' },
      ]),
      'Remediation: send command': async () => {
        throw sdkError('Ssm.AccessDeniedException', 'not authorized to perform: ssm:SendCommand');
      },
      Notify: notified,
    });
    expect(states.slice(-2)).toEqual(['Remediation: send command', 'Notify']);
    expect(notifyState(calls).actions).toEqual([
      expect.objectContaining({ sendError: expect.objectContaining({ Error: 'Ssm.AccessDeniedException' }) }),
    ]);
  });

  it('ends FAILED (for the execution-ended rule) only when Notify itself keeps failing', async () => {
    const run2 = run(diagnoseOnly, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': invocation('Success'),
      Analyze: analyzed(),
      Notify: async () => {
        throw sdkError('Error', 'Slack and SNS both down');
      },
    });
    await expect(run2).rejects.toThrow(/The notifier could not report the incident/);
  });
});
