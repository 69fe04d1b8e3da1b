import type { Analysis } from '../analysis/model';
import { drillStormWindow } from '../drill/drill-marks';
import {
  type ChannelDelivery,
  type Incident,
  incidentKeyOf,
  type NotificationRecord,
  type RelatedIncident,
} from '../incident/model';
import type { ResponseContext, ResponseOutcome } from '../incident/outcome';
import { stormWindowOf } from '../incident/storm-stats';
import { memoryTimelineOutcomeOf } from '../metrics/memory-window';
import { type NotifyEvent, NotifyEventSchema } from '../workflow/state';
import { actionResults } from './action-results';
import { IncidentNotFoundError } from './analyze-incident';
import { type ChannelResult, deliverAll, deliveryContext, requireDelivered } from './channel-delivery';
import { channelJobs } from './channel-jobs';
import { diagnosticsOutcome } from './diagnostics-outcome';
import { failureText } from './failure-text';
import { NotificationIncompleteError } from './notify-errors';
import { incidentMessages, rollupMessages } from './notify-messages';
import type { DeliveryStore, NotifyTelemetry, SlackNotifier, SnsPublisher } from './notify-ports';
import { rollupOut } from './rollup-out';
import { planMessage } from './storm-plan';

export interface NotifyIncidentConfig {
  stormThreshold: number;
  stormWindowMs: number;
  /** Also publish the Amazon Q Developer custom notification format, as a second message with `format=q-developer`. */
  qDeveloperFormat: boolean;
  outputBucket: string | null;
  partition: string;
  region: string;
  /**
   * How long a storm follow-up rollup with fewer than a full list waits after the window's previous rollup (the
   * step is retried meanwhile). @default 0: it goes out at once, as the CLI's replay needs (nothing retries it)
   */
  stormFollowUpMs?: number;
}

export interface NotifyPorts {
  store: DeliveryStore;
  slack: SlackNotifier | null;
  sns: SnsPublisher;
  telemetry: NotifyTelemetry;
  now: () => Date;
  /** Milliseconds this invocation has left (Lambda's `getRemainingTimeInMillis`). @default 15 minutes, Lambda's most */
  remainingMs?: () => number;
  /** How the step waits between tries of a record write. @default a timer */
  sleep?: (ms: number) => Promise<void>;
}

/** Without a Lambda context (the CLI's replay), the most time any Lambda invocation has. */
export const LAMBDA_MOST_MS = 900_000;

/**
 * The notify step: whatever path the workflow took, assemble what is known and tell people once. Slack, SNS and
 * the Amazon Q message are delivered independently, in parallel, each claimed and recorded on the incident by
 * itself, so that no channel's failure keeps another from going out and a retried step sends only what is missing.
 * What does not go out inside this invocation's time is recorded and the step throws
 * `NotificationIncompleteError`, which the workflow retries with backoff; a channel that refuses for good is
 * recorded as failed. In a storm, each incident past the threshold is listed in exactly one rollup.
 */
export async function notifyIncident(
  event: unknown,
  ports: NotifyPorts,
  config: NotifyIncidentConfig,
): Promise<NotificationRecord & { incidentId: string }> {
  const { state, executionArn } = parseEvent(event);
  const stored = await ports.store.getIncident(state.incidentId);
  if (!stored) throw new IncidentNotFoundError(state.incidentId);
  if (stored.notification) {
    // A retried step (the Lambda's answer was lost, or the step timed out after recording): tell no one twice.
    ports.telemetry.info('already notified', { incidentId: stored.id, at: stored.notification.at });
    return { incidentId: stored.id, ...stored.notification };
  }
  const nowMs = ports.now().getTime();
  const deadlineMs = nowMs + (ports.remainingMs?.() ?? LAMBDA_MOST_MS);
  // A drill counts in a window of its own (the detector filed it there): never in, nor rolled up with, a storm.
  const windowStart = stored.drill
    ? drillStormWindow(stored.drill)
    : stormWindowOf(Date.parse(stored.observedAt), config.stormWindowMs);
  const window = await ports.store.stormWindow(windowStart);
  const threshold = config.stormThreshold;
  const plan = await planMessage({
    store: ports.store,
    incident: stored,
    window,
    threshold,
    followUpMs: config.stormFollowUpMs ?? 0,
    nowMs,
  });
  const incident: Incident = {
    ...stored,
    storm: { windowStartedAt: windowStart, incidentsInWindow: plan.position },
  };
  if (plan.kind === 'deferred') {
    ports.telemetry.info('storm follow-up not due yet', { incidentId: incident.id, reason: plan.reason });
    throw new NotificationIncompleteError(incident.id, [plan.reason]);
  }
  const at = new Date(nowMs).toISOString();
  if (plan.kind === 'covered') {
    const by = plan.rollup;
    // Recorded as told only once the rollup that lists it has gone out (helping it out if it has not).
    const waiting = await rollupOut({
      ports,
      rollup: by,
      window,
      threshold,
      context: { executionArn, partition: config.partition, region: config.region },
      deadlineMs,
    });
    if (waiting) throw new NotificationIncompleteError(incident.id, [waiting]);
    const detail = `listed in storm rollup ${by.seq} of this window, sent by incident ${by.owner}`;
    const record: NotificationRecord = {
      at,
      slack: { status: 'rolled-up', detail },
      sns: { status: 'rolled-up', messageId: null, detail },
      coveredBy: { incidentId: by.owner, rollup: by.seq },
    };
    await ports.store.recordNotification(incident.id, record);
    ports.telemetry.info('notified', {
      incidentId: incident.id,
      storm: 'covered',
      rollup: by.seq,
      by: by.owner,
    });
    return { incidentId: incident.id, ...record };
  }
  const outcome = {
    ...responseOutcome(state, incident, executionArn, config),
    related: await relatedIncidents(ports, incident),
  };
  const messages =
    plan.kind === 'incident'
      ? incidentMessages(outcome, config.qDeveloperFormat)
      : await rollupMessages({
          store: ports.store,
          owner: incident,
          context: outcome.context,
          rollup: plan.rollup,
          window,
          loaded: plan.loaded,
          threshold,
          provenance: outcome.provenance ?? null,
        });
  if (messages.unlisted.length > 0)
    ports.telemetry.warn('the rollup could not list every incident it covers', {
      unlisted: messages.unlisted,
    });
  const ctx = deliveryContext(ports, incident.id, deadlineMs);
  const jobs = channelJobs(messages, ports, ctx);
  const results = await deliverAll(ctx, jobs, stored.deliveries);
  const record = recordOf(
    results,
    ports.slack !== null,
    at,
    plan.kind === 'rollup' ? plan.rollup : null,
    incident.id,
  );
  report(record, incident, ports.telemetry);
  requireDelivered(incident.id, results, record);
  await ports.store.recordNotification(incident.id, record);
  countRemediations(outcome, ports.telemetry);
  ports.telemetry.info('notified', {
    incidentId: incident.id,
    instanceId: incident.instance.instanceId,
    process: incident.firstKill.process,
    likelyCause: outcome.analysis?.likelyCause?.family ?? null,
    diagnostics: outcome.diagnostics.status,
    storm: plan.kind === 'rollup' ? `rollup ${plan.rollup.seq}` : 'notify',
    slack: record.slack.status,
    sns: record.sns.status,
  });
  return { incidentId: incident.id, ...record };
}

/** What went out where, from each channel's delivery (a claim still held reads as pending). */
export function recordOf(
  results: readonly ChannelResult[],
  slackConfigured: boolean,
  at: string,
  rollup: { seq: number } | null,
  incidentId: string,
): NotificationRecord {
  const of = (channel: ChannelResult['channel']) => results.find((r) => r.channel === channel)?.delivery;
  const status = (d: ChannelDelivery) => (d.status === 'sending' ? 'pending' : d.status);
  const sns = of('sns');
  const slack = of('slack');
  const q = of('q');
  const rolledUp = rollup ? `storm rollup ${rollup.seq}` : null;
  return {
    at,
    slack: slack
      ? { status: status(slack), detail: slack.status === 'sent' ? rolledUp : slack.detail }
      : { status: 'skipped', detail: slackConfigured ? null : 'no Slack webhook is configured' },
    sns: sns
      ? { status: status(sns), messageId: sns.messageId, detail: sns.detail }
      : { status: 'skipped', messageId: null, detail: null },
    ...(q ? { q: { status: status(q), messageId: q.messageId, detail: q.detail } } : {}),
    ...(rollup ? { coveredBy: { incidentId, rollup: rollup.seq } } : {}),
  };
}

function report(record: NotificationRecord, incident: Incident, telemetry: NotifyTelemetry): void {
  if (record.slack.status === 'sent' || record.slack.status === 'skipped') return;
  telemetry.count('SlackDeliveryFailures');
  telemetry.warn(
    record.sns.status === 'sent'
      ? 'Slack did not take the message; SNS did'
      : 'Slack did not take the message',
    { incidentId: incident.id, detail: record.slack.detail },
  );
}

function parseEvent(event: unknown): { state: NotifyEvent; executionArn: string | null } {
  const wrapper = event as { state?: unknown; executionArn?: unknown } | null;
  if (wrapper && typeof wrapper === 'object' && 'state' in wrapper) {
    return {
      state: NotifyEventSchema.parse(wrapper.state),
      executionArn: typeof wrapper.executionArn === 'string' ? wrapper.executionArn : null,
    };
  }
  return { state: NotifyEventSchema.parse(event), executionArn: null };
}

/** Everything known at the end, whichever path the workflow took. */
/** How far back a message looks for the instance's other incidents: a day, the span an on-call shift thinks in. */
export const RELATED_WINDOW_MS = 24 * 60 * 60 * 1000;
/** At most this many are listed: the latest, which are the ones on-call wants to open. */
export const MAX_RELATED = 5;

/**
 * The instance's incidents received in the day before this one, newest first. Nice to have, never worth a lost
 * message: a failed query is logged and the message goes out without them.
 */
async function relatedIncidents(ports: NotifyPorts, incident: Incident): Promise<RelatedIncident[]> {
  const observedMs = Date.parse(incident.observedAt);
  if (Number.isNaN(observedMs)) return [];
  try {
    const all = await ports.store.incidentsOn(incidentKeyOf(incident), observedMs - RELATED_WINDOW_MS);
    return all
      .filter((other) => other.incidentId !== incident.id && Date.parse(other.observedAt) <= observedMs)
      .reverse()
      .slice(0, MAX_RELATED);
  } catch (error) {
    ports.telemetry.warn('could not list the instance’s other incidents', {
      incidentId: incident.id,
      error: (error as Error).message,
    });
    return [];
  }
}

export function responseOutcome(
  state: NotifyEvent,
  incident: Incident,
  executionArn: string | null,
  config: Pick<NotifyIncidentConfig, 'outputBucket' | 'partition' | 'region'>,
): ResponseOutcome {
  const analyzed = state.analysis as
    | { diagnostics?: ResponseOutcome['diagnostics']; analysis?: Analysis; memoryTimeline?: unknown }
    | undefined;
  // Validated: a state from before the timeline existed, or a malformed one, gives a message without it.
  const memoryTimeline = memoryTimelineOutcomeOf(analyzed?.memoryTimeline);
  const context: ResponseContext = {
    partition: config.partition,
    region: config.region,
    accountId: incident.source.accountId,
    executionArn,
  };
  return {
    incident,
    diagnostics: analyzed?.diagnostics ?? diagnosticsOutcome(state, config.outputBucket),
    analysis: analyzed?.analysis ?? null,
    actions: actionResults(state.actions),
    failure: state.failure ? { stage: state.failure.stage, error: failureText(state.failure) } : null,
    context,
    // Only a labelled (sample or demo) state adds the key: a live outcome is exactly what it was.
    ...(state.provenance && state.provenance.kind !== 'live' ? { provenance: state.provenance } : {}),
    ...(memoryTimeline ? { memoryTimeline } : {}),
  };
}

function countRemediations(outcome: ResponseOutcome, telemetry: NotifyTelemetry): void {
  const names: Record<string, string> = {
    done: 'RemediationDone',
    'already-ok': 'RemediationAlreadyOk',
    'dry-run': 'RemediationDryRun',
    refused: 'RemediationRefused',
    failed: 'RemediationFailed',
  };
  for (const action of outcome.actions) {
    const metric = names[action.status];
    if (metric) telemetry.count(metric);
  }
}
