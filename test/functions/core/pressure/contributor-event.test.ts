import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ContributorEventError,
  instancePressure,
  parseContributorChange,
} from '../../../../functions/core/pressure/contributor-event';

/** AWS's documented samples (test/fixtures/eventbridge/SOURCES.md). */
const documented = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/eventbridge/${name}.json`, import.meta.url), 'utf8'));
const CONTRIBUTOR = documented('cloudwatch-alarm-contributor-state-change');
const ALARM_ITSELF = documented('cloudwatch-alarm-state-change-multi-time-series');

/**
 * The documented contributor sample as one of this stack's early-warning alarms would send it: the same event with
 * only what the alarm defines changed (its name and ARN, the GROUP BY attribute, the query). The state, with the
 * documented reason and timestamp, is AWS's.
 */
function asEarlyWarning(instanceId: unknown): Record<string, unknown> {
  const detail = CONTRIBUTOR.detail as Record<string, Record<string, unknown>>;
  return {
    ...CONTRIBUTOR,
    resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:OomResponder-AvailableMemoryLow'],
    detail: {
      ...detail,
      alarmName: 'OomResponder-AvailableMemoryLow',
      alarmContributor: { id: '6d442278dba546f6', attributes: { InstanceId: instanceId } },
      configuration: {
        metrics: [
          {
            id: 'perInstance',
            expression:
              'SELECT MIN(mem_available_percent) FROM "CWAgent" GROUP BY InstanceId ORDER BY MIN() ASC',
            returnData: true,
            period: 60,
          },
        ],
      },
    },
  };
}

describe("a contributor state change, as AWS's documentation shows it", () => {
  it('gives the alarm, the contributor and its attributes, and its new state', () => {
    const change = parseContributorChange(CONTRIBUTOR);
    expect(change).toMatchObject({
      alarmName: 'DynamoDBInsightsAlarm',
      alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:DynamoDBInsightsAlarm',
      contributorId: '6d442278dba546f6',
      attributes: { TableName: 'example-dynamodb-table-name' },
      state: 'ALARM',
      at: '2025-12-01T13:42:04.919Z',
      metric: 'ConsumedWriteCapacityUnits',
    });
  });

  it("reads the threshold and the crossing datapoint from the state's reason", () => {
    // "... less than the threshold (1.0). The most recent datapoint which crossed the threshold: [0.0 (...)]."
    const change = parseContributorChange(CONTRIBUTOR);
    expect(change.threshold).toBe(1);
    expect(change.latestValue).toBe(0);
  });

  it('leaves both figures unknown when the reason is worded otherwise', () => {
    const detail = CONTRIBUTOR.detail as Record<string, Record<string, unknown>>;
    const change = parseContributorChange({
      ...CONTRIBUTOR,
      detail: { ...detail, state: { ...detail.state, reason: 'Contributor no longer breaching' } },
    });
    expect(change.threshold).toBeUndefined();
    expect(change.latestValue).toBeUndefined();
  });

  it("is refused for the alarm's own state change, which names no contributor", () => {
    expect(() => parseContributorChange(ALARM_ITSELF)).toThrowError(ContributorEventError);
    expect(() => parseContributorChange(ALARM_ITSELF)).toThrowError(/detail-type.*detail\.alarmContributor/s);
  });

  it('is refused, not guessed, for junk', () => {
    for (const junk of [null, 'event', 42, {}, { source: 'aws.cloudwatch' }]) {
      expect(() => parseContributorChange(junk)).toThrowError(ContributorEventError);
    }
  });
});

describe('the instance under pressure', () => {
  it('is the contributor of an early-warning alarm, by its InstanceId attribute', () => {
    const pressure = instancePressure(asEarlyWarning('i-0abc1234def567890'));
    expect(pressure.instanceId).toBe('i-0abc1234def567890');
    expect(pressure.metric).toBe('mem_available_percent');
    expect(pressure.alarmName).toBe('OomResponder-AvailableMemoryLow');
  });

  it('accepts the short instance ids of older instances', () => {
    expect(instancePressure(asEarlyWarning('i-0abc1234')).instanceId).toBe('i-0abc1234');
  });

  it('is refused for the documented sample, grouped by TableName, saying what it was grouped by', () => {
    expect(() => instancePressure(CONTRIBUTOR)).toThrowError(
      /DynamoDBInsightsAlarm names no InstanceId \(its attributes: TableName\)/,
    );
  });

  it('is refused when the attribute is not an instance id', () => {
    expect(() => instancePressure(asEarlyWarning('web-3'))).toThrowError(
      /'web-3', which is not an EC2 instance id/,
    );
    expect(() => instancePressure(asEarlyWarning(7))).toThrowError(ContributorEventError);
  });
});

describe('the alarm mute rule an event names (muteDetail)', () => {
  const withMute = (muteDetail: Record<string, unknown> | undefined, timestamp?: string) => {
    const event = asEarlyWarning('i-0abc1234def567890');
    const detail = event.detail as Record<string, Record<string, unknown>>;
    return {
      ...event,
      detail: {
        ...detail,
        state: { ...detail.state, ...(timestamp ? { timestamp } : {}) },
        muteDetail,
      },
    };
  };
  const RULE = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:maintenance';

  it("mutes nothing in AWS's sample, whose window (2026-01-01 10:00-12:00) comes after its change (2025-12-01)", () => {
    expect(parseContributorChange(CONTRIBUTOR).mute).toBeNull();
    expect(instancePressure(asEarlyWarning('i-0abc1234def567890')).mute).toBeNull();
  });

  it('mutes a change inside the window, edges included, with the rule and the window in UTC', () => {
    const window = {
      mutedByArn: RULE,
      muteWindowStart: '2025-12-01T13:42:04.919+0000',
      muteWindowEnd: '2025-12-01T15:00:00.000+0100',
    };
    expect(parseContributorChange(withMute(window)).mute).toEqual({
      ruleArn: RULE,
      from: '2025-12-01T13:42:04.919Z',
      until: '2025-12-01T14:00:00.000Z',
    });
    // A window ending at 13:00 UTC (14:00 at +01:00) ends before the change at 13:42: nothing is muted.
    expect(
      parseContributorChange(withMute({ ...window, muteWindowEnd: '2025-12-01T14:00:00.000+0100' })).mute,
    ).toBeNull();
    const exact = { ...window, muteWindowEnd: '2025-12-01T13:42:04.919+0000' };
    expect(parseContributorChange(withMute(exact)).mute?.until).toBe('2025-12-01T13:42:04.919Z');
    expect(parseContributorChange(withMute(exact, '2025-12-01T13:42:04.920+0000')).mute).toBeNull();
    expect(parseContributorChange(withMute(exact, '2025-12-01T13:42:04.918+0000')).mute).toBeNull();
  });

  it('mutes when the event names a rule but no readable window: the operator asked for silence', () => {
    expect(parseContributorChange(withMute({ mutedByArn: RULE })).mute).toEqual({
      ruleArn: RULE,
      from: null,
      until: null,
    });
    expect(
      parseContributorChange(withMute({ muteWindowStart: 'soon', muteWindowEnd: 'later' })).mute,
    ).toEqual({ ruleArn: null, from: 'soon', until: 'later' });
  });

  it('mutes nothing without a muteDetail', () => {
    expect(parseContributorChange(withMute(undefined)).mute).toBeNull();
  });
});
