import { readFileSync } from 'node:fs';

/** AWS's documented samples (test/fixtures/eventbridge/SOURCES.md), as read from the fixture files. */
export function documentedEvent(name: string): Record<string, unknown> {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/eventbridge/${name}.json`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
}

export const DOCUMENTED_CONTRIBUTOR = documentedEvent('cloudwatch-alarm-contributor-state-change');
export const EARLY_WARNING_ALARM_ARN =
  'arn:aws:cloudwatch:us-east-1:123456789012:alarm:OomResponder-AvailableMemoryLow';

/**
 * The documented contributor sample as one of this stack's early-warning alarms would send it: the same event with
 * only what the alarm defines changed (its name and ARN, the GROUP BY attribute, the query). The state, with the
 * documented reason ("... The most recent datapoint which crossed the threshold: [0.0 ...]", threshold 1.0) and
 * timestamp (2025-12-01T13:42:04.919+0000), is AWS's unless `state` overrides part of it. So is its `muteDetail`
 * (a rule muting 2026-01-01 10:00-12:00, after the change) unless `muteDetail` replaces it (null: none).
 */
export function earlyWarningEvent(
  instanceId: string,
  overrides: {
    state?: Record<string, unknown>;
    alarmArn?: string;
    alarmName?: string;
    muteDetail?: Record<string, unknown> | null;
  } = {},
): Record<string, unknown> {
  const detail = DOCUMENTED_CONTRIBUTOR.detail as Record<string, Record<string, unknown>>;
  const alarmName = overrides.alarmName ?? 'OomResponder-AvailableMemoryLow';
  return {
    ...DOCUMENTED_CONTRIBUTOR,
    resources: [overrides.alarmArn ?? EARLY_WARNING_ALARM_ARN],
    detail: {
      ...detail,
      alarmName,
      alarmContributor: { id: '6d442278dba546f6', attributes: { InstanceId: instanceId } },
      state: { ...detail.state, ...overrides.state },
      muteDetail:
        overrides.muteDetail === undefined ? detail.muteDetail : (overrides.muteDetail ?? undefined),
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
