import * as z from 'zod';

/**
 * A contributor of a multi-time-series alarm (a Metrics Insights query with GROUP BY) changing state, as
 * CloudWatch sends it to EventBridge. Source: CloudWatch User Guide, "Alarm events and EventBridge", tab "Multi
 * Time Series Alarm" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html):
 * the event carries the contributor's id and attributes (the GROUP BY keys and their values: `InstanceId` for the
 * early-warning alarms) and its new state, whose reason quotes the most recent datapoint that crossed the
 * threshold; unlike an alarm's own state change it has no `previousState` and no `reasonData`. A contributor is
 * only ever in ALARM or OK ("Acting on alarm changes": a time series exists only while it has data). The same
 * sample carries a `muteDetail`: the alarm mute rule (`mutedByArn`) and its window. An active mute rule mutes the
 * alarm's actions but not its events ("Alarm mute rules": alarms go on evaluating and changing state), so this
 * pipeline, started by the event rather than as an action, reads the mute itself.
 */
export const CONTRIBUTOR_STATE_CHANGE = 'CloudWatch Alarm Contributor State Change';
export const CONTRIBUTOR_STATE_SOURCE = 'aws.cloudwatch';

export const ContributorStateChangeSchema = z.object({
  source: z.literal(CONTRIBUTOR_STATE_SOURCE),
  'detail-type': z.literal(CONTRIBUTOR_STATE_CHANGE),
  account: z.string().min(1),
  region: z.string().min(1),
  /** The alarm's ARN, alone. */
  resources: z.array(z.string().startsWith('arn:')).min(1),
  detail: z.object({
    alarmName: z.string().min(1),
    alarmContributor: z.object({
      id: z.string().min(1),
      attributes: z.record(z.string(), z.string()),
    }),
    state: z.object({
      value: z.enum(['ALARM', 'OK']),
      reason: z.string(),
      /** `2025-12-01T13:42:04.919+0000`: CloudWatch's own format, with a colon-less offset. */
      timestamp: z.string().min(1),
    }),
    configuration: z
      .object({
        metrics: z.array(z.object({ id: z.string(), expression: z.string().optional() })).optional(),
        description: z.string().optional(),
      })
      .optional(),
    muteDetail: z
      .object({
        mutedByArn: z.string().optional(),
        /** `2026-01-01T10:00:00.000+0000`, as the state's timestamp. */
        muteWindowStart: z.string().optional(),
        muteWindowEnd: z.string().optional(),
      })
      .optional(),
  }),
});

export type ContributorStateChange = z.infer<typeof ContributorStateChangeSchema>;

/** What a contributor's state change says, in the pipeline's terms. */
export interface ContributorChange {
  alarmName: string;
  alarmArn: string;
  /** CloudWatch's id of the time series, stable while it exists. */
  contributorId: string;
  /** The GROUP BY keys and their values, as CloudWatch names them. */
  attributes: Record<string, string>;
  state: 'ALARM' | 'OK';
  /** When the contributor changed state (ISO 8601, UTC). */
  at: string;
  reason: string;
  /** The metric the alarm's query reads (`mem_available_percent`), when its expression names one. */
  metric: string | undefined;
  /** The most recent datapoint that crossed the threshold and the threshold, when the reason quotes them. */
  latestValue: number | undefined;
  threshold: number | undefined;
  /** The alarm mute rule muting the alarm when the contributor changed state, or null (see `muteAt`). */
  mute: AlarmMute | null;
}

/** An alarm mute rule in effect: its ARN and window (ISO 8601, UTC), each null when the event does not say. */
export interface AlarmMute {
  ruleArn: string | null;
  from: string | null;
  until: string | null;
}

/** A contributor change of an early-warning alarm: the same, for one EC2 instance. */
export interface InstancePressure extends ContributorChange {
  instanceId: string;
}

/** The event is not a contributor state change, or not one this pipeline can act on; `cause` keeps zod's issues. */
export class ContributorEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ContributorEventError';
  }
}

/** Parse any contributor state change (of any multi-time-series alarm). */
export function parseContributorChange(event: unknown): ContributorChange {
  const parsed = ContributorStateChangeSchema.safeParse(event);
  if (!parsed.success) {
    throw new ContributorEventError(
      `not a CloudWatch alarm contributor state change: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`)
        .join('; ')}`,
      { cause: parsed.error },
    );
  }
  const { detail, resources } = parsed.data;
  const expression = detail.configuration?.metrics?.find((m) => m.expression)?.expression;
  return {
    alarmName: detail.alarmName,
    alarmArn: resources[0] ?? '',
    contributorId: detail.alarmContributor.id,
    attributes: detail.alarmContributor.attributes,
    state: detail.state.value,
    at: isoTimestamp(detail.state.timestamp),
    reason: detail.state.reason,
    metric: expression ? queriedMetric(expression) : undefined,
    latestValue: number(CROSSING_DATAPOINT.exec(detail.state.reason)?.[1]),
    threshold: number(THRESHOLD.exec(detail.state.reason)?.[1]),
    mute: muteAt(detail.muteDetail, detail.state.timestamp),
  };
}

/**
 * The mute in effect at the state change, or null. A `muteDetail` whose window is readable and does not hold the
 * change's time mutes nothing (AWS's sample pairs a change of 2025-12-01 with a window on 2026-01-01); one without
 * a readable window, or with the change inside it, mutes: the event says a rule mutes the alarm, and the
 * operator who set it asked for silence, which a guess should not break.
 */
function muteAt(
  detail: z.infer<typeof ContributorStateChangeSchema>['detail']['muteDetail'],
  changedAt: string,
): AlarmMute | null {
  if (detail === undefined) return null;
  const from = detail.muteWindowStart === undefined ? null : isoTimestamp(detail.muteWindowStart);
  const until = detail.muteWindowEnd === undefined ? null : isoTimestamp(detail.muteWindowEnd);
  const at = Date.parse(isoTimestamp(changedAt));
  const fromMs = from === null ? Number.NaN : Date.parse(from);
  const untilMs = until === null ? Number.NaN : Date.parse(until);
  if (!Number.isNaN(at) && !Number.isNaN(fromMs) && !Number.isNaN(untilMs) && (at < fromMs || at > untilMs))
    return null;
  return { ruleArn: detail.mutedByArn ?? null, from, until };
}

const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;

/**
 * The instance a contributor of an early-warning alarm is about: its `InstanceId` attribute (the alarms group by
 * it). A contributor of another alarm, grouped by something else, is refused with what it was grouped by.
 */
export function instancePressure(event: unknown): InstancePressure {
  const change = parseContributorChange(event);
  const instanceId = change.attributes.InstanceId;
  if (instanceId === undefined) {
    const keys = Object.keys(change.attributes);
    throw new ContributorEventError(
      `the contributor of ${change.alarmName} names no InstanceId (its attributes: ${keys.length > 0 ? keys.join(', ') : 'none'}): only alarms grouped by InstanceId name an instance`,
    );
  }
  if (!INSTANCE_ID.test(instanceId)) {
    throw new ContributorEventError(
      `the contributor of ${change.alarmName} names '${instanceId.slice(0, 40)}', which is not an EC2 instance id`,
    );
  }
  return { ...change, instanceId };
}

// The reason's wording ("... the threshold (1.0). The most recent datapoint which crossed the threshold: [0.0
// (01/12/25 13:34:00)].") is prose, not a contract: both figures are optional, and neither regex can backtrack.
const THRESHOLD = /the threshold \((-?\d+(?:\.\d+)?(?:E-?\d+)?)\)/i;
const CROSSING_DATAPOINT = /crossed the threshold: \[(-?\d+(?:\.\d+)?(?:E-?\d+)?) \(/i;
const SELECTED_METRIC = /^\s*SELECT\s+[A-Z]+\(\s*"?([A-Za-z0-9_.\-/:]+)"?\s*\)/i;

function queriedMetric(expression: string): string | undefined {
  return SELECTED_METRIC.exec(expression)?.[1];
}

function number(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** `2025-12-01T13:42:04.919+0000` as ISO 8601 in UTC; a timestamp Date cannot read is kept as CloudWatch wrote it. */
function isoTimestamp(timestamp: string): string {
  const withColon = timestamp.replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  const date = new Date(withColon);
  return Number.isNaN(date.getTime()) ? timestamp : date.toISOString();
}
