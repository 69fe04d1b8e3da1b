import type { Analysis } from '../analysis/model';
import type { NotificationRecord, NotificationStore } from '../detect/ports';
import type { Incident } from '../incident/model';
import type { ResponseContext, ResponseOutcome } from '../incident/outcome';
import { stormWindowOf } from '../incident/storm-stats';
import { renderQNotification } from '../render/q-notification';
import { renderSlackMessage } from '../render/slack';
import type { SlackMessage } from '../render/slack-blocks';
import { renderSnsNotification, type SnsNotification } from '../render/sns';
import { stormDecision } from '../render/storm';
import { renderStormRollup } from '../render/storm-render';
import { type NotifyEvent, NotifyEventSchema } from '../workflow/state';
import { actionResults } from './action-results';
import { IncidentNotFoundError } from './analyze-incident';
import { diagnosticsOutcome } from './diagnostics-outcome';
import { failureText } from './failure-text';
import type { NotifyTelemetry, SlackNotifier, SnsPublisher } from './notify-ports';

export interface NotifyIncidentConfig {
  stormThreshold: number;
  stormWindowMs: number;
  /** Also publish the Amazon Q Developer custom notification format, as a second message with `format=q-developer`. */
  qDeveloperFormat: boolean;
  outputBucket: string | null;
  partition: string;
  region: string;
}

export interface NotifyPorts {
  store: NotificationStore;
  slack: SlackNotifier | null;
  sns: SnsPublisher;
  telemetry: NotifyTelemetry;
  now: () => Date;
}

/** A rollup is posted again after this many more incidents joined it, so late ones are counted too. */
const ROLLUP_REPOST_EVERY = 25;
/** Incidents loaded to render a rollup (its counts cover these; a larger storm is re-posted as it grows). */
const ROLLUP_INCIDENTS_LOADED = 200;

/**
 * The notify step: whatever path the workflow took, assemble what is known, render it for people, publish to SNS
 * (first: if that fails the step is retried, and nothing was posted to Slack twice), then post to Slack (a
 * failure there is recorded, not retried into a duplicate), and record on the incident what was sent where. In
 * a storm, one rollup message stands for many incidents.
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
  const windowStart = stormWindowOf(Date.parse(stored.observedAt), config.stormWindowMs);
  const storm = await ports.store.stormWindow(windowStart);
  const position = storm.incidentIds.indexOf(stored.id) + 1;
  const incident: Incident = {
    ...stored,
    storm: { windowStartedAt: windowStart, incidentsInWindow: position || storm.incidents },
  };
  const outcome = responseOutcome(state, incident, executionArn, config);
  const decision = stormDecision(incident.storm, config.stormThreshold);

  let slackMessage: SlackMessage | null = renderSlackMessage(outcome);
  let sns: SnsNotification | null = renderSnsNotification(outcome);
  let slackSkipped = 'no Slack webhook is configured';
  if (decision !== 'notify') {
    const joined = position - (Math.floor(config.stormThreshold) + 1);
    if (decision === 'open-rollup' || joined % ROLLUP_REPOST_EVERY === 0) {
      const rollup = renderStormRollup(await loadWindow(ports.store, storm.incidentIds, incident), {
        threshold: config.stormThreshold,
      });
      slackMessage = rollup.slack;
      sns = rollup.sns;
    } else {
      slackMessage = null;
      sns = null;
      slackSkipped = `rolled up: incident ${position} of a storm of ${storm.incidents} in this window`;
    }
  }

  const record: NotificationRecord = {
    at: ports.now().toISOString(),
    slack: { status: 'skipped', detail: slackSkipped },
    // Replaced below once SNS took the message; left as is only for an incident rolled up without one.
    sns: { status: 'rolled-up', messageId: null, detail: slackSkipped },
  };
  if (sns) {
    const published = await ports.sns.publish(withFormat(sns, 'text'));
    record.sns = { status: 'sent', messageId: published.messageId, detail: null };
    if (config.qDeveloperFormat && decision === 'notify') {
      // A second message for Amazon Q Developer in chat applications: its subscription filters on format.
      const q = renderQNotification(outcome);
      await ports.sns.publish(withFormat({ ...sns, message: JSON.stringify(q) }, 'q-developer'));
    }
  }
  if (slackMessage && ports.slack) {
    const posted = await ports.slack.post(slackMessage);
    record.slack = posted.ok
      ? { status: 'sent', detail: decision === 'notify' ? null : 'storm rollup' }
      : { status: 'failed', detail: posted.detail };
    if (!posted.ok) {
      ports.telemetry.count('SlackDeliveryFailures');
      ports.telemetry.warn('Slack did not take the message; SNS did', {
        incidentId: incident.id,
        detail: posted.detail,
      });
    }
  } else if (!slackMessage && decision !== 'notify') {
    record.slack = { status: 'rolled-up', detail: slackSkipped };
  }
  await ports.store.recordNotification(incident.id, record);
  countRemediations(outcome, ports.telemetry);
  ports.telemetry.info('notified', {
    incidentId: incident.id,
    instanceId: incident.instance.instanceId,
    process: incident.firstKill.process,
    likelyCause: outcome.analysis?.likelyCause?.family ?? null,
    diagnostics: outcome.diagnostics.status,
    storm: decision,
    slack: record.slack.status,
    sns: record.sns.status,
  });
  return { incidentId: incident.id, ...record };
}

/** The `format` attribute lets each subscription take the body it can read (filter policy on `format`). */
function withFormat(notification: SnsNotification, format: 'text' | 'q-developer'): SnsNotification {
  return {
    ...notification,
    messageAttributes: {
      ...notification.messageAttributes,
      format: { DataType: 'String', StringValue: format },
    },
  };
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
export function responseOutcome(
  state: NotifyEvent,
  incident: Incident,
  executionArn: string | null,
  config: Pick<NotifyIncidentConfig, 'outputBucket' | 'partition' | 'region'>,
): ResponseOutcome {
  const analyzed = state.analysis as
    | { diagnostics?: ResponseOutcome['diagnostics']; analysis?: Analysis }
    | undefined;
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
  };
}

async function loadWindow(
  store: NotificationStore,
  ids: readonly string[],
  current: Incident,
): Promise<Incident[]> {
  const incidents: Incident[] = [];
  for (const id of ids.slice(0, ROLLUP_INCIDENTS_LOADED)) {
    const incident = id === current.id ? current : await store.getIncident(id);
    if (incident) incidents.push(incident);
  }
  if (!incidents.some((incident) => incident.id === current.id)) incidents.push(current);
  return incidents;
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
