import { Duration } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthStack } from '../../support/synth';

/**
 * The pressure response as synthesized: the memory-pressure rule's target (the pressure function, asynchronous,
 * with retries and the dead-letter queue on both sides), the function's environment and permissions, and its
 * absence with `earlyWarning: false`. The state machine's graph is in graph.test.ts, its paths in
 * pressure-workflow.paths.test.ts, the IAM decisions in iam-edges.test.ts.
 */
type Resource = { Properties: Record<string, unknown> };
let template: Template;

beforeAll(() => {
  template = synthStack().template;
}, 60_000);

const entries = (t: Template, type: string) => Object.entries(t.findResources(type)) as [string, Resource][];
const pressureFunction = (t: Template): [string, Resource] => {
  const found = entries(t, 'AWS::Lambda::Function').filter(([id]) =>
    id.startsWith('OomResponderPressureFunction'),
  );
  if (found.length !== 1 || !found[0])
    throw new Error(`expected one pressure function, found ${found.length}`);
  return found[0];
};
const deadLetters = () => {
  const [id] =
    entries(template, 'AWS::SQS::Queue').find(([queue]) =>
      queue.startsWith('OomResponderNotificationsDeadLetters'),
    ) ?? [];
  return String(id);
};

describe('the memory-pressure rule', () => {
  it('invokes the pressure function, EventBridge retrying for an hour and then dead-lettering the event', () => {
    const [fnId] = pressureFunction(template);
    const [, rule] =
      entries(template, 'AWS::Events::Rule').find(([id]) => id.includes('EarlyWarningContributorInAlarm')) ??
      [];
    expect(rule?.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetters(), 'Arn'] } },
      }),
    ]);
  });

  it("sends the function's own failures, after Lambda's two retries, to the same alarmed queue", () => {
    const [fnId] = pressureFunction(template);
    const configs = entries(template, 'AWS::Lambda::EventInvokeConfig').filter(([, c]) =>
      JSON.stringify(c.Properties.FunctionName).includes(fnId),
    );
    expect(configs).toHaveLength(1);
    expect(configs[0]?.[1].Properties).toMatchObject({
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [deadLetters(), 'Arn'] } } },
    });
  });
});

describe('the pressure function', () => {
  it('is configured with the table, its own state machine, the cooldown (60 minutes by default) and the retention', () => {
    const [, fn] = pressureFunction(template);
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const machines = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    const pressureMachine = machines.find((id) => id.startsWith('OomResponderPressureWorkflowStateMachine'));
    expect(env).toMatchObject({
      INCIDENT_TABLE_NAME: { Ref: expect.stringMatching(/^OomResponderStorageIncidents/) },
      PRESSURE_STATE_MACHINE_ARN: { Ref: pressureMachine },
      PRESSURE_COOLDOWN_MINUTES: '60',
      RETENTION_DAYS: '30',
    });
  });

  it('takes its cooldown from pressureCooldown', () => {
    const t = synthStack({ responder: { pressureCooldown: Duration.minutes(90) } }).template;
    const [, fn] = pressureFunction(t);
    expect(
      (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables
        .PRESSURE_COOLDOWN_MINUTES,
    ).toBe('90');
  });

  it('is granted PutItem on the table and StartExecution on the pressure state machine, nothing more of either', () => {
    const statements = entries(template, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('OomResponderPressureFunctionRole'))
      .flatMap(
        ([, p]) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      );
    const table = statements.find((s) => s.Sid === 'IncidentTable');
    expect(table?.Action).toBe('dynamodb:PutItem');
    expect(JSON.stringify(table?.Resource)).not.toContain('index');
    const start = statements.filter((s) => JSON.stringify(s.Action).includes('states:'));
    expect(start).toHaveLength(1);
    expect(start[0]?.Action).toBe('states:StartExecution');
    expect(JSON.stringify(start[0]?.Resource)).toContain('OomResponderPressureWorkflowStateMachine');
  });
});

describe('the pressure alarms', () => {
  it("alarm to the topic on the function's errors and on the pressure workflow's failed or timed-out executions", () => {
    const [fnId] = pressureFunction(template);
    const machine = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).find((id) =>
      id.startsWith('OomResponderPressureWorkflowStateMachine'),
    );
    const alarms = entries(template, 'AWS::CloudWatch::Alarm').filter(([id]) =>
      id.startsWith('OomResponderPressure'),
    );
    const watched = alarms.map(([, a]) => [a.Properties.MetricName, JSON.stringify(a.Properties.Dimensions)]);
    expect(watched).toEqual(
      expect.arrayContaining([
        ['Errors', expect.stringContaining(fnId)],
        ['ExecutionsFailed', expect.stringContaining(String(machine))],
        ['ExecutionsTimedOut', expect.stringContaining(String(machine))],
      ]),
    );
    expect(alarms).toHaveLength(3);
    for (const [, alarm] of alarms) expect(JSON.stringify(alarm.Properties.AlarmActions)).toContain('Topic');
  });
});

describe('with earlyWarning: false', () => {
  it('has no pressure function and no pressure state machine', () => {
    const off = synthStack({ responder: { earlyWarning: false } }).template;
    expect(entries(off, 'AWS::Lambda::Function').some(([id]) => id.startsWith('OomResponderPressure'))).toBe(
      false,
    );
    expect(Object.keys(off.findResources('AWS::StepFunctions::StateMachine'))).toHaveLength(1);
  });
});
