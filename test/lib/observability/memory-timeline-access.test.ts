import { describe, expect, it } from 'vitest';
import { synthStack } from '../../support/synth';

type Statement = { Action: string | string[]; Effect: string; Resource: unknown; Sid?: string };

/** Every Allow statement of every identity policy, with the logical id of the policy. */
function statements(
  template: ReturnType<typeof synthStack>['template'],
): { policy: string; statement: Statement }[] {
  return Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([policy, resource]) =>
    (resource.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => statement.Effect === 'Allow')
      .map((statement) => ({ policy, statement })),
  );
}

const grantsGetMetricData = ({ statement }: { statement: Statement }) =>
  [statement.Action]
    .flat()
    .some((action) => action === 'cloudwatch:GetMetricData' || action === 'cloudwatch:*');

function analyzeEnvironment(template: ReturnType<typeof synthStack>['template']): Record<string, unknown> {
  const functions = template.findResources('AWS::Lambda::Function');
  const [analyze] = Object.entries(functions).filter(([id]) => id.startsWith('OomResponderAnalyze'));
  return (analyze?.[1].Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
}

describe('the memory timeline’s access', () => {
  it('lets only the analyze role call GetMetricData, on * (it has no resource-level permissions), with earlyWarning', () => {
    const template = synthStack({ responder: { earlyWarning: { memAvailablePercent: 12 } } }).template;
    const grants = statements(template).filter(grantsGetMetricData);
    expect(grants).toEqual([
      {
        policy: expect.stringMatching(/^OomResponderAnalyzeRoleDefaultPolicy/),
        statement: {
          Action: 'cloudwatch:GetMetricData',
          Effect: 'Allow',
          Resource: '*',
          Sid: 'ReadMemoryMetricsForTheTimeline',
        },
      },
    ]);
    // The threshold the message compares with is the alarm's.
    expect(analyzeEnvironment(template).EARLY_WARNING_MEM_AVAILABLE_PERCENT).toBe('12');
  });

  it('grants nothing and reads nothing with earlyWarning: false (no metrics are published)', () => {
    const template = synthStack({ responder: { earlyWarning: false } }).template;
    expect(statements(template).filter(grantsGetMetricData)).toEqual([]);
    expect(analyzeEnvironment(template)).not.toHaveProperty('EARLY_WARNING_MEM_AVAILABLE_PERCENT');
  });
});
