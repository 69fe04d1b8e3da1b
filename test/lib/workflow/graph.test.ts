import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlannedStepSchema } from '../../../functions/core/workflow/state';
import { stateMachineDefinition, synthStack } from '../../support/synth';
import {
  type AslMachine,
  allStates,
  CAN_FAIL,
  isTerminal,
  loops,
  numericBounds,
  reachable,
  stateOf,
  worstSeconds,
} from './asl';

/**
 * The response workflow's graph as synthesized (the definition CloudFormation hands Step Functions), walked state
 * by state: no failure can end an execution without Notify, nothing waits unbounded, and what no Catch can take
 * (the execution timeout, a failed Notify) is heard through the execution-ended rule. Sources: Step Functions
 * "Handling errors in Step Functions workflows" (States.ALL does not catch States.Runtime or
 * States.DataLimitExceeded; the execution's own timeout is not caught) and the States Language specification.
 */
const NOTIFY = 'Notify';
/** The analysis plans each remediation at most once: one Map item per action. */
const MAX_MAP_ITEMS = PlannedStepSchema.shape.action.options.length;

const variants: Record<string, { template: Template; asl: AslMachine; machineId: string }> = {};

const WITH_REMEDIATION = {
  responder: {
    remediationPolicy: {
      addSwap: { enabled: true },
      restartService: { enabled: true, allowedUnits: ['app.service'] },
    },
  },
};

beforeAll(() => {
  const templates = {
    'diagnose only': synthStack().template,
    'with remediation': synthStack(WITH_REMEDIATION).template,
  };
  // The pressure workflow (a memory-pressure warning) is held to the same rules as the kill workflow.
  for (const [name, template] of Object.entries(templates)) {
    for (const which of ['response', 'pressure'] as const) {
      const machineId = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).find(
        (id) => id.startsWith('OomResponderPressure') === (which === 'pressure'),
      );
      variants[which === 'pressure' ? `pressure, ${name}` : name] = {
        template,
        asl: stateMachineDefinition(template, which) as unknown as AslMachine,
        machineId: String(machineId),
      };
    }
  }
}, 120_000);

const VARIANTS = [
  'diagnose only',
  'with remediation',
  'pressure, diagnose only',
  'pressure, with remediation',
];

describe.each(VARIANTS)('the synthesized workflow (%s)', (variant) => {
  const asl = (): AslMachine => (variants[variant] as { asl: AslMachine }).asl;

  it('routes every state that can fail to Notify by a Catch on States.ALL', () => {
    const machine = asl();
    const uncaught = Object.entries(machine.States)
      .filter(([name, state]) => CAN_FAIL.has(state.Type) && name !== NOTIFY)
      .filter(([, state]) => {
        const all = (state.Catch ?? []).find(
          (c) => c.ErrorEquals.length === 1 && c.ErrorEquals[0] === 'States.ALL',
        );
        return !all || !reachable(machine, all.Next).has(NOTIFY);
      })
      .map(([name]) => name);
    expect(uncaught).toEqual([]);
  });

  it('lets a failure inside a Map item end that item with a result, not fail the Map', () => {
    const items = allStates(asl()).filter((s) => s.scope !== 'top' && CAN_FAIL.has(s.state.Type));
    const failing = items
      .filter(({ state, machine }) => {
        const all = (state.Catch ?? []).find((c) => c.ErrorEquals.includes('States.ALL'));
        if (!all) return true;
        const after = [...reachable(machine, all.Next)].map((n) => stateOf(machine, n));
        return !after.some((s) => isTerminal(s) && s.Type !== 'Fail') || after.some((s) => s.Type === 'Fail');
      })
      .map(({ scope, name }) => `${scope} > ${name}`);
    expect(failing).toEqual([]);
  });

  it('reaches no end of the execution without passing Notify', () => {
    const machine = asl();
    const endsBeforeNotify = [...reachable(machine, machine.StartAt, new Set([NOTIFY]))].filter((name) =>
      isTerminal(stateOf(machine, name)),
    );
    expect(endsBeforeNotify).toEqual([]);
  });

  it('ends in Succeed once Notify has run, and fails (for the execution-ended rule) only when Notify failed', () => {
    const machine = asl();
    const notify = stateOf(machine, NOTIFY);
    expect(notify.Next && stateOf(machine, notify.Next).Type).toBe('Succeed');
    const fails = Object.entries(machine.States).filter(([, s]) => s.Type === 'Fail');
    for (const [name] of fails) {
      const from = Object.entries(machine.States).filter(([, s]) =>
        (s.Catch ?? []).some((c) => c.Next === name),
      );
      expect(from.map(([n]) => n)).toEqual([NOTIFY]);
    }
  });

  it('gives every Task a state-level timeout and every retrier an explicit, small MaxAttempts', () => {
    const states = allStates(asl());
    expect(
      states.filter(({ state }) => state.Type === 'Task' && !state.TimeoutSeconds).map((s) => s.name),
    ).toEqual([]);
    const retriers = states.flatMap(({ name, state }) => (state.Retry ?? []).map((r) => ({ name, r })));
    expect(retriers.filter(({ r }) => !(r.MaxAttempts && r.MaxAttempts <= 10)).map((x) => x.name)).toEqual(
      [],
    );
  });

  it('retries throttling (SSM as Ssm.SsmException, Lambda as TooManyRequests) with backoff and full jitter', () => {
    const states = allStates(asl());
    const tasks = states.filter(({ state }) => state.Type === 'Task');
    const throttled = (resource: string) =>
      resource.includes(':ssm:') ? 'Ssm.SsmException' : 'Lambda.TooManyRequestsException';
    for (const { name, state } of tasks) {
      const retrier = (state.Retry ?? []).find((r) =>
        r.ErrorEquals.includes(throttled(state.Resource ?? '')),
      );
      expect(retrier, `${name} retries throttling`).toBeDefined();
      expect(retrier).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: expect.any(Number) });
      expect(retrier?.MaxDelaySeconds).toBeGreaterThan(0);
    }
    // Not modelled for SendCommand/GetCommandInvocation, so Step Functions never raises it: a retrier on it is dead.
    const dead = states.filter(({ state }) =>
      (state.Retry ?? []).some((r) => r.ErrorEquals.includes('Ssm.ThrottlingException')),
    );
    expect(dead.map((s) => s.name)).toEqual([]);
  });

  it('keeps retrying while the invocation does not exist yet, on every poll', () => {
    const polls = allStates(asl()).filter(({ state }) => state.Resource?.endsWith(':getCommandInvocation'));
    expect(polls.length).toBeGreaterThan(0);
    for (const { state } of polls) {
      expect(state.Retry?.some((r) => r.ErrorEquals.includes('Ssm.InvocationDoesNotExistException'))).toBe(
        true,
      );
    }
  });

  it('bounds every loop by a counter it increments each turn', () => {
    const machines = [
      asl(),
      ...allStates(asl()).flatMap(({ state }) => (state.ItemProcessor ? [state.ItemProcessor] : [])),
    ];
    const found = machines.flatMap((m) => loops(m).map((loop) => ({ m, loop })));
    expect(found.length).toBeGreaterThan(0);
    for (const { m, loop } of found) {
      const bounds = numericBounds(loop.rule);
      expect(bounds.length, `${loop.choice} has a NumericLessThan bound`).toBeGreaterThan(0);
      const counters = loop.body.flatMap((n) => Object.values(stateOf(m, n).Parameters ?? {}));
      for (const { variable } of bounds) {
        const counter = variable.slice(0, variable.lastIndexOf('.'));
        const field = variable.slice(variable.lastIndexOf('.') + 1);
        expect(counters, `${loop.choice} increments ${variable}`).toContain(
          `States.MathAdd(${counter}.${field}, 1)`,
        );
      }
    }
  });

  it('waits on a command at least its document timeout plus delivery before giving up', () => {
    // Documents' own timeouts (lib/ssm/documents.ts): 120 s diagnostics, 1200 s add-swap, 300 s restart-service;
    // SendCommand delivery timeout 120 s.
    const machine = asl();
    const waited = (m: AslMachine, prefix: string): number[] =>
      loops(m)
        .filter((l) => l.choice.startsWith(prefix))
        .flatMap((l) => {
          const wait = l.body.map((n) => stateOf(m, n)).find((s) => s.Type === 'Wait');
          return numericBounds(l.rule).map((b) => b.bound * (wait?.Seconds ?? 0));
        });
    expect(Math.min(...waited(machine, 'Diagnostics'))).toBeGreaterThanOrEqual(120 + 120);
    const map = Object.values(machine.States).find((s) => s.Type === 'Map');
    if (map?.ItemProcessor) {
      const remediation = waited(map.ItemProcessor, 'Remediation');
      expect(Math.max(...remediation)).toBeGreaterThanOrEqual(1200 + 120);
      expect(Math.min(...remediation)).toBeGreaterThanOrEqual(300 + 120);
    }
  });

  it('finishes every path, at its worst, before the execution timeout that no Catch can take', () => {
    const machine = asl();
    const worst = worstSeconds(machine, machine.StartAt, MAX_MAP_ITEMS);
    expect(Number.isFinite(worst)).toBe(true);
    expect(machine.TimeoutSeconds).toBeDefined();
    expect(worst).toBeLessThan(machine.TimeoutSeconds as number);
    console.info(
      `${variant}: worst case ${Math.round(worst)} s, execution timeout ${machine.TimeoutSeconds} s`,
    );
  });

  it('gives every Choice a Default, so no input fails one with States.NoChoiceMatched', () => {
    const choices = allStates(asl()).filter(({ state }) => state.Type === 'Choice');
    expect(choices.filter(({ state }) => !state.Default).map((c) => c.name)).toEqual([]);
  });

  it('notifies from EventBridge when an execution fails, times out or is stopped before it notified', () => {
    const { template, machineId } = variants[variant] as { template: Template; machineId: string };
    // The flattened definition names each function by its logical id (test/support/synth.ts).
    const notifyFunction = String(stateOf(asl(), NOTIFY).Resource).split(':function:')[1];
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as {
      Properties: { EventPattern: Record<string, unknown>; Targets: { Arn: unknown }[]; State?: string };
    }[];
    const rule = rules.find((r) =>
      (r.Properties.EventPattern.source as string[] | undefined)?.includes('aws.states'),
    );
    // One rule for both workflows (the notifier takes one asynchronous-invoke configuration).
    const machines = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toContain(machineId);
    expect(rule?.Properties.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        stateMachineArn: machines.map((id) => ({ Ref: id })),
      },
    });
    expect(rule?.Properties.Targets.map((t) => t.Arn)).toEqual([{ 'Fn::GetAtt': [notifyFunction, 'Arn'] }]);
    expect(rule?.Properties.State ?? 'ENABLED').toBe('ENABLED');
  });
});
