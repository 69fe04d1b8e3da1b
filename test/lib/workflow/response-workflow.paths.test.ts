import { beforeAll, describe, expect, it } from 'vitest';
import { collectDiagnosticsDocument } from '../../../lib/ssm/documents';
import { WORKFLOW_INPUT } from '../../support/execution-status-change';
import {
  type LocalStateMachine,
  localStateMachine,
  localStepFunctionsRuns,
  localStepFunctionsSkip,
  type TaskHandler,
} from '../../support/local-state-machine';
import { stateMachineDefinition, synthStack } from '../../support/synth';

/**
 * Every path through the synthesized state machine, executed for real by aws-local-stepfunctions (an ASL
 * interpreter) with the AWS calls and Lambdas answered locally. It needs Node.js 22+: CI runs this file a second
 * time under Node 24 (see .ci/run); under Node 20 it is skipped with that reason.
 */
type Machine = LocalStateMachine;

let withRemediation: Machine;
let diagnoseOnly: Machine;

const INPUT = WORKFLOW_INPUT;

const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:OomResponder:${INPUT.incidentId}`;

/** The remediation steps the analysis plans, as the workflow sends them. */
const SWAP_STEP = {
  action: 'add-swap',
  documentName: 'OomResponder-AddSwap',
  parameters: { sizeMiB: ['2048'], dryRun: ['false'] },
  dryRun: false,
  reason: 'no swap',
};
const RESTART_STEP = {
  action: 'restart-service',
  documentName: 'OomResponder-RestartService',
  parameters: { unit: ['app.service'], dryRun: ['false'] },
  dryRun: false,
  reason: 'unit down',
};

/** The workflow state the notifier was invoked with, in the last (or the `index`-th) call. */
function notifiedState<T>(calls: { input: unknown }[], index = calls.length - 1): T {
  return ((calls[index]?.input ?? {}) as { state: T }).state;
}

function sdkError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

/** A run with the AWS SDK tasks and Lambdas answered by `handlers`; waits take no time. */
async function run(machine: Machine, input: unknown, handlers: Record<string, TaskHandler>) {
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
  const waits = ['Diagnostics: wait', 'Remediation: wait'];
  const execution = machine.run(input, {
    overrides: {
      taskResourceLocalHandlers: recorded,
      waitTimeOverrides: Object.fromEntries(waits.map((w) => [w, 0])),
      retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((state) => [state, 0])),
    },
    context: { Execution: { Id: EXECUTION_ARN, Input: input } },
  });
  const output = await execution.result;
  return { output, calls, states: calls.map((c) => c.state) };
}

const sent = async () => ({ Command: { CommandId: 'cmd-1' } });
const invocation =
  (Status: string, extra: Record<string, unknown> = {}) =>
  async () => ({ Status, StatusDetails: Status, ResponseCode: Status === 'Success' ? 0 : 1, ...extra });
const analyzed =
  (steps: unknown[] = []) =>
  async () => ({ diagnostics: { status: 'collected' }, analysis: { findings: [] }, steps });
const notified = async (input: Record<string, unknown>) => ({ notified: true, sawState: input.state });

describe.skipIf(!localStepFunctionsRuns)(`the response workflow's paths${localStepFunctionsSkip}`, () => {
  beforeAll(async () => {
    withRemediation = await localStateMachine(
      stateMachineDefinition(
        synthStack({
          responder: {
            remediationPolicy: {
              addSwap: { enabled: true },
              restartService: { enabled: true, allowedUnits: ['app.service'] },
            },
          },
        }).template,
      ),
    );
    diagnoseOnly = await localStateMachine(stateMachineDefinition(synthStack().template));
  }, 60_000);

  it('collects, analyzes and notifies when everything succeeds, polling while the command runs', async () => {
    const polls = ['InProgress', 'InProgress', 'Success'];
    const { states, calls } = await run(diagnoseOnly, INPUT, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': async () => ({
        Status: polls.shift(),
        StandardOutputContent: '=== oom-responder summary v1 ===',
      }),
      Analyze: analyzed(),
      Notify: notified,
    });
    expect(states).toEqual([
      'Diagnostics: send command',
      'Diagnostics: get command invocation',
      'Diagnostics: get command invocation',
      'Diagnostics: get command invocation',
      'Analyze',
      'Notify',
    ]);
    const analyzeInput = calls.find((c) => c.state === 'Analyze')?.input;
    expect(analyzeInput).toMatchObject({
      incidentId: INPUT.incidentId,
      diagnostics: { commandId: 'cmd-1', polls: 3, invocation: { Status: 'Success' } },
    });
    const send = calls[0]?.input as {
      Parameters: Record<string, string[]>;
      InstanceIds: string[];
      OutputS3KeyPrefix: string;
    };
    expect(send.InstanceIds).toEqual([INPUT.instanceId]);
    expect(send.Parameters).toEqual({
      killTime: [INPUT.killTime],
      unit: [INPUT.unit],
      pid: [INPUT.pid],
      memcgPath: [INPUT.memcgPath],
      processHex: [INPUT.processHex],
      kernelTime: [INPUT.kernelTime],
      killer: [INPUT.killer],
    });
    expect(send.OutputS3KeyPrefix).toBe(`diagnostics/${INPUT.incidentId}/`);
  });

  it('sends nothing to a host when the instance is unknown, and still analyzes and notifies', async () => {
    const { states, calls } = await run(
      diagnoseOnly,
      { ...INPUT, instanceId: null },
      { Analyze: analyzed(), Notify: notified },
    );
    expect(states).toEqual(['Analyze', 'Notify']);
    expect(calls[0]?.input.diagnostics).toEqual({ unresolved: true });
  });

  it('routes a command SSM could not send (agent offline) to the analysis with the error', async () => {
    const { states, calls } = await run(diagnoseOnly, INPUT, {
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

  it.each(['Failed', 'TimedOut', 'Cancelled'])(
    'passes a command that ended %s to the analysis',
    async (status) => {
      const { states, calls } = await run(diagnoseOnly, INPUT, {
        'Diagnostics: send command': sent,
        'Diagnostics: get command invocation': invocation(status),
        Analyze: analyzed(),
        Notify: notified,
      });
      expect(states).toEqual([
        'Diagnostics: send command',
        'Diagnostics: get command invocation',
        'Analyze',
        'Notify',
      ]);
      expect(calls[2]?.input).toMatchObject({ diagnostics: { invocation: { Status: status } } });
    },
  );

  it('waits on a command as long as its document may run, then reports it as timed out waiting', async () => {
    const { states, calls } = await run(diagnoseOnly, INPUT, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': invocation('InProgress'),
      Analyze: analyzed(),
      Notify: notified,
    });
    const polls = states.filter((s) => s === 'Diagnostics: get command invocation').length;
    // At 5 s a poll, at least the delivery timeout (120 s) plus the document's own timeout (120 s).
    expect(polls * 5).toBeGreaterThanOrEqual(
      120 + collectDiagnosticsDocument().mainSteps[0].inputs.timeoutSeconds,
    );
    expect(calls.find((c) => c.state === 'Analyze')?.input).toMatchObject({
      diagnostics: { polls, timedOutWaiting: true, invocation: { Status: 'InProgress' } },
    });
    expect(states.at(-1)).toBe('Notify');
  });

  it('keeps waiting while a command is Cancelling, until it ends Cancelled', async () => {
    const statuses = ['Cancelling', 'Cancelling', 'Cancelled'];
    const { states, calls } = await run(diagnoseOnly, INPUT, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': async () => ({
        ...(await invocation(statuses.shift() ?? '')()),
      }),
      Analyze: analyzed(),
      Notify: notified,
    });
    expect(states.filter((s) => s === 'Diagnostics: get command invocation')).toHaveLength(3);
    expect(calls.find((c) => c.state === 'Analyze')?.input).toMatchObject({
      diagnostics: { polls: 3, invocation: { Status: 'Cancelled' } },
    });
  });

  it('still analyzes and notifies, with the error, when the status cannot be read', async () => {
    const { states, calls } = await run(diagnoseOnly, INPUT, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': async () => {
        throw sdkError('Ssm.InvalidCommandIdException', 'no such command');
      },
      Analyze: analyzed(),
      Notify: notified,
    });
    // Not an error worth retrying: one poll, then on.
    expect(states).toEqual([
      'Diagnostics: send command',
      'Diagnostics: get command invocation',
      'Analyze',
      'Notify',
    ]);
    expect(calls[2]?.input).toMatchObject({
      diagnostics: { commandId: 'cmd-1', pollError: { Error: 'Ssm.InvalidCommandIdException' } },
    });
  });

  it('retries a throttled poll (Ssm.SsmException) and goes on polling once SSM answers', async () => {
    let throttles = 2;
    const { states, calls } = await run(diagnoseOnly, INPUT, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': async () => {
        if (throttles-- > 0) throw sdkError('Ssm.SsmException', 'Rate exceeded');
        return invocation('Success')();
      },
      Analyze: analyzed(),
      Notify: notified,
    });
    expect(states.filter((s) => s === 'Diagnostics: get command invocation')).toHaveLength(3);
    expect(calls.find((c) => c.state === 'Analyze')?.input).toMatchObject({
      diagnostics: { invocation: { Status: 'Success' } },
    });
  });

  it('notifies with the throttling error once its retries are spent', async () => {
    const { states, calls } = await run(diagnoseOnly, INPUT, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': async () => {
        throw sdkError('Ssm.SsmException', 'Rate exceeded');
      },
      Analyze: analyzed(),
      Notify: notified,
    });
    const polls = states.filter((s) => s === 'Diagnostics: get command invocation').length;
    expect(polls).toBeGreaterThan(1);
    expect(polls).toBeLessThanOrEqual(11);
    expect(states.slice(-2)).toEqual(['Analyze', 'Notify']);
    expect(calls.find((c) => c.state === 'Analyze')?.input).toMatchObject({
      diagnostics: {
        pollError: { Error: 'Ssm.SsmException', Cause: expect.stringContaining('Rate exceeded') },
      },
    });
  });

  it('retries a throttled Lambda invocation instead of failing the stage', async () => {
    let throttled = true;
    const { states } = await run(
      diagnoseOnly,
      { ...INPUT, instanceId: null },
      {
        Analyze: async () => {
          if (throttled) {
            throttled = false;
            throw sdkError('Lambda.TooManyRequestsException', 'Rate Exceeded.');
          }
          return analyzed()();
        },
        Notify: notified,
      },
    );
    expect(states).toEqual(['Analyze', 'Analyze', 'Notify']);
  });

  it('hands Notify the analysis without the raw command output', async () => {
    const { calls } = await run(diagnoseOnly, INPUT, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': invocation('Success', {
        StandardOutputContent: 'x'.repeat(24_000),
      }),
      Analyze: analyzed(),
      Notify: notified,
    });
    const state = notifiedState<Record<string, unknown>>(calls);
    expect(Object.keys(state).sort()).toEqual([...Object.keys(INPUT), 'analysis'].sort());
  });

  it('keeps every remediation result when one of them cannot be followed', async () => {
    const swap = SWAP_STEP;
    const restart = RESTART_STEP;
    const { calls } = await run(withRemediation, INPUT, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': invocation('Success'),
      Analyze: analyzed([swap, restart]),
      'Remediation: send command': async (input) => ({
        Command: { CommandId: input.DocumentName === swap.documentName ? 'cmd-swap' : 'cmd-restart' },
      }),
      'Remediation: get command invocation': async (input) => {
        if (input.CommandId === 'cmd-swap') throw sdkError('Ssm.InternalServerErrorException', 'internal');
        return invocation('Success', {
          StandardOutputContent: 'result=done reason=none verification=active',
        })();
      },
      Notify: notified,
    });
    const actions = notifiedState<{ actions: Record<string, unknown>[] }>(calls).actions;
    expect(actions).toHaveLength(2);
    expect(actions[0]).toMatchObject({
      step: swap,
      command: { commandId: 'cmd-swap', pollError: { Error: 'Ssm.InternalServerErrorException' } },
    });
    expect(actions[1]).toMatchObject({
      step: restart,
      command: { commandId: 'cmd-restart', invocation: { Status: 'Success' } },
    });
  });

  it('runs each planned remediation and hands its verified result to the notifier', async () => {
    const step = SWAP_STEP;
    const { states, calls } = await run(withRemediation, INPUT, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': invocation('Success'),
      Analyze: analyzed([step]),
      'Remediation: send command': async () => ({ Command: { CommandId: 'cmd-swap' } }),
      'Remediation: get command invocation': invocation('Success', {
        StandardOutputContent:
          'add-swap: added a 2048 MiB swap file\nresult=done reason=none verification=swapon-show-lists-path',
      }),
      Notify: notified,
    });
    expect(states).toEqual([
      'Diagnostics: send command',
      'Diagnostics: get command invocation',
      'Analyze',
      'Remediation: send command',
      'Remediation: get command invocation',
      'Notify',
    ]);
    const sendSwap = calls[3]?.input as { DocumentName: string; Parameters: unknown; InstanceIds: string[] };
    expect(sendSwap).toMatchObject({
      DocumentName: 'OomResponder-AddSwap',
      Parameters: step.parameters,
      InstanceIds: [INPUT.instanceId],
    });
    const notifyState = notifiedState<{ actions: unknown[] }>(calls, 5);
    expect(notifyState.actions).toEqual([
      {
        step,
        command: expect.objectContaining({
          commandId: 'cmd-swap',
          invocation: expect.objectContaining({ Status: 'Success' }),
        }),
      },
    ]);
  });

  it('hands a refused remediation (the script said no, with its reason) to the notifier', async () => {
    const step = RESTART_STEP;
    const { calls } = await run(withRemediation, INPUT, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': invocation('Success'),
      Analyze: analyzed([step]),
      'Remediation: send command': async () => ({ Command: { CommandId: 'cmd-restart' } }),
      'Remediation: get command invocation': invocation('Failed', {
        StandardOutputContent:
          'restart-service: refused: app.service is already active\nresult=already-ok reason=active',
      }),
      Notify: notified,
    });
    const notifyState = notifiedState<{ actions: { command: { invocation: { Status: string } } }[] }>(calls);
    expect(notifyState.actions[0]?.command.invocation.Status).toBe('Failed');
  });

  it('still notifies, saying which stage failed, when the analysis fails', async () => {
    const { states, calls } = await run(diagnoseOnly, INPUT, {
      'Diagnostics: send command': sent,
      'Diagnostics: get command invocation': invocation('Success'),
      Analyze: async () => {
        throw sdkError('IncidentNotFoundError', 'incident oom-x is not in the incident store');
      },
      Notify: notified,
    });
    expect(states.at(-1)).toBe('Notify');
    expect(notifiedState<{ failure: unknown }>(calls).failure).toMatchObject({
      stage: 'analyze',
      error: 'IncidentNotFoundError',
    });
  });

  it('ends the execution failed when even the notifier fails, so the failed-execution alarm fires', async () => {
    await expect(
      run(
        diagnoseOnly,
        { ...INPUT, instanceId: null },
        {
          Analyze: analyzed(),
          Notify: async () => {
            throw sdkError('Error', 'SNS is down');
          },
        },
      ),
    ).rejects.toThrow(/The notifier could not report the incident/);
  });
});
