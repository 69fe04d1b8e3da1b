import { readFileSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { OomResponder } from '../../../lib/oom-responder';
import { synthStack } from '../../support/synth';

let template: Template;

beforeAll(() => {
  template = synthStack({ responder: { earlyWarning: { memAvailablePercent: 12 } } }).template;
});

type Resource = { Properties: Record<string, unknown> };
const resources = (t: Template, type: string) =>
  Object.entries(t.findResources(type)) as [string, Resource][];

function alarmNamed(name: string): [string, Resource] {
  const found = resources(template, 'AWS::CloudWatch::Alarm').find(
    ([, a]) => a.Properties.AlarmName === name,
  );
  if (!found) throw new Error(`no alarm ${name}`);
  return found;
}

function rule(): Resource {
  const [only, ...others] = resources(template, 'AWS::Events::Rule').filter(([id]) =>
    id.includes('EarlyWarning'),
  );
  if (!only || others.length > 0) throw new Error('expected one early-warning rule');
  return only[1];
}

/** AWS's documented contributor state change (test/fixtures/eventbridge/SOURCES.md). */
const DOCUMENTED = JSON.parse(
  readFileSync(
    new URL('../../fixtures/eventbridge/cloudwatch-alarm-contributor-state-change.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown> & { detail: Record<string, unknown> };

/** EventBridge's matching for the pattern's shape here: every leaf array must hold the event's value. */
function matches(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern))
    return pattern.some(
      (value) =>
        JSON.stringify(value) === JSON.stringify(event) ||
        (Array.isArray(event) && event.some((e) => JSON.stringify(e) === JSON.stringify(value))),
    );
  if (typeof pattern !== 'object' || pattern === null) return false;
  return Object.entries(pattern).every(([key, sub]) =>
    matches(
      sub,
      typeof event === 'object' && event !== null ? (event as Record<string, unknown>)[key] : undefined,
    ),
  );
}

/** The rule's pattern with each alarm ARN (Fn::GetAtt) replaced by the ARN CloudWatch gives that alarm. */
function resolvedPattern(): Record<string, unknown> {
  const pattern = rule().Properties.EventPattern as Record<string, unknown>;
  const names = Object.fromEntries(
    resources(template, 'AWS::CloudWatch::Alarm').map(([id, a]) => [id, a.Properties.AlarmName]),
  );
  const resourcesOf = (pattern.resources as { 'Fn::GetAtt': [string, string] }[]).map(
    (ref) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${names[ref['Fn::GetAtt'][0]]}`,
  );
  return { ...pattern, resources: resourcesOf };
}

/** The documented sample as the available-memory alarm would send it: its ARN and the InstanceId attribute. */
function contributorOf(alarmName: string, state = 'ALARM') {
  return {
    ...DOCUMENTED,
    resources: [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`],
    detail: {
      ...DOCUMENTED.detail,
      alarmName,
      alarmContributor: { id: '6d442278dba546f6', attributes: { InstanceId: 'i-0abc1234def567890' } },
      state: { ...(DOCUMENTED.detail.state as Record<string, unknown>), value: state },
    },
  };
}

describe('the early-warning alarms', () => {
  it('watch available memory per instance with one Metrics Insights query, at or below the threshold', () => {
    const [, alarm] = alarmNamed('OomResponder-AvailableMemoryLow');
    expect(alarm.Properties).toMatchObject({
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      Threshold: 12,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Metrics: [
        {
          Expression:
            'SELECT MIN(mem_available_percent) FROM "CWAgent" GROUP BY InstanceId ORDER BY MIN() ASC',
          Period: 60,
          ReturnData: true,
        },
      ],
    });
  });

  it('watch swap use per instance, at or above the default 50 %', () => {
    const [, alarm] = alarmNamed('OomResponder-SwapUseHigh');
    expect(alarm.Properties).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 50,
      Metrics: [
        {
          Expression: 'SELECT MAX(swap_used_percent) FROM "CWAgent" GROUP BY InstanceId ORDER BY MAX() DESC',
          Period: 60,
        },
      ],
    });
  });

  it('speak only through their rule, one message per instance (no alarm-level SNS action)', () => {
    for (const name of ['OomResponder-AvailableMemoryLow', 'OomResponder-SwapUseHigh']) {
      expect(alarmNamed(name)[1].Properties.AlarmActions).toBeUndefined();
    }
  });

  it('are not created with earlyWarning: false', () => {
    const off = synthStack({ responder: { earlyWarning: false } }).template;
    const names = resources(off, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName);
    expect(names.filter((n) => typeof n === 'string' && n.startsWith('OomResponder-'))).toEqual([]);
    expect(resources(off, 'AWS::Events::Rule').some(([id]) => id.includes('EarlyWarning'))).toBe(false);
  });
});

describe('the rule for contributors in ALARM', () => {
  it('matches contributor state changes of these two alarms into ALARM, and nothing else', () => {
    const pattern = rule().Properties.EventPattern as Record<string, unknown>;
    expect(pattern).toMatchObject({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm Contributor State Change'],
      detail: { state: { value: ['ALARM'] } },
    });
    expect(pattern.resources).toHaveLength(2);
  });

  it("matches the documented sample sent by one of its alarms, and not by another alarm, back to OK, or the alarm's own change", () => {
    const pattern = resolvedPattern();
    expect(matches(pattern, contributorOf('OomResponder-AvailableMemoryLow'))).toBe(true);
    expect(matches(pattern, contributorOf('OomResponder-SwapUseHigh'))).toBe(true);
    expect(matches(pattern, DOCUMENTED)).toBe(false);
    expect(matches(pattern, contributorOf('OomResponder-AvailableMemoryLow', 'OK'))).toBe(false);
    const itself = {
      ...contributorOf('OomResponder-AvailableMemoryLow'),
      'detail-type': 'CloudWatch Alarm State Change',
    };
    expect(matches(pattern, itself)).toBe(false);
  });

  it('hands the whole event to the pressure function, which reads it (no input transformer)', () => {
    const targets = rule().Properties.Targets as Record<string, unknown>[];
    expect(targets).toHaveLength(1);
    expect(JSON.stringify(targets[0]?.Arn)).toContain('PressureFunction');
    expect(targets[0]?.Input).toBeUndefined();
    expect(targets[0]?.InputTransformer).toBeUndefined();
  });

  it("is the construct's extension point beside the pressure workflow, and both are absent with earlyWarning: false", () => {
    const { stack } = synthStack({});
    const responder = stack.node.findAll().find((c) => c instanceof OomResponder) as OomResponder | undefined;
    expect(responder?.memoryPressureRule?.ruleArn).toBeDefined();
    expect(responder?.pressureStateMachine?.stateMachineArn).toBeDefined();
    const off = synthStack({ responder: { earlyWarning: false } }).stack;
    const none = off.node.findAll().find((c) => c instanceof OomResponder) as OomResponder | undefined;
    expect(none).toBeDefined();
    expect(none?.memoryPressureRule).toBeUndefined();
    expect(none?.pressureStateMachine).toBeUndefined();
  });
});
