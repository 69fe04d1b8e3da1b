import type { NotificationRecord } from '../incident/model';
import type { ResponseContext } from '../incident/outcome';
import type { PressureAnalysis } from '../pressure/model';
import type { PressureOutcome } from '../pressure/outcome';
import { renderPressureQ } from '../render/pressure-q';
import { renderPressureSlack } from '../render/pressure-slack';
import { renderPressureSns } from '../render/pressure-sns';
import {
  isPressureState,
  type PressureNotifyEvent,
  PressureNotifyEventSchema,
} from '../workflow/pressure-state';
import { actionResults } from './action-results';
import { IncidentNotFoundError } from './analyze-incident';
import { deliverAll, deliveryContext, requireDelivered } from './channel-delivery';
import { channelJobs } from './channel-jobs';
import { diagnosticsOutcome } from './diagnostics-outcome';
import { failureText } from './failure-text';
import { LAMBDA_MOST_MS, type NotifyIncidentConfig, recordOf } from './notify-incident';
import { type Messages, withFormat } from './notify-messages';
import type { NotifyTelemetry, SlackNotifier, SnsPublisher, WarningDeliveryStore } from './notify-ports';

export interface NotifyPressurePorts {
  store: WarningDeliveryStore;
  slack: SlackNotifier | null;
  sns: SnsPublisher;
  telemetry: NotifyTelemetry;
  now: () => Date;
  remainingMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The notify step of the pressure workflow: the warning's message on every channel, each delivered at most once
 * through the same claim-send-settle records as a kill's (`deliverOnce`), so a retried step sends only what is
 * missing and a channel that may have sent is never sent again. A warning is never rolled up in a storm: it is
 * one instance's, and its point is to arrive before the kill.
 */
export async function notifyPressure(
  event: unknown,
  ports: NotifyPressurePorts,
  config: NotifyIncidentConfig,
): Promise<NotificationRecord & { incidentId: string }> {
  const { state, executionArn } = parseEvent(event);
  const stored = await ports.store.getWarning(state.incidentId);
  if (!stored) throw new IncidentNotFoundError(state.incidentId);
  if (stored.notification) {
    ports.telemetry.info('already notified', { incidentId: state.incidentId, at: stored.notification.at });
    return { incidentId: state.incidentId, ...stored.notification };
  }
  const nowMs = ports.now().getTime();
  const deadlineMs = nowMs + (ports.remainingMs?.() ?? LAMBDA_MOST_MS);
  const outcome = pressureOutcome(state, executionArn, config);
  const messages = pressureMessages(outcome, config.qDeveloperFormat);
  const ctx = deliveryContext(ports, state.incidentId, deadlineMs);
  const jobs = channelJobs(messages, ports, ctx);
  const results = await deliverAll(ctx, jobs, stored.deliveries);
  const record = recordOf(
    results,
    ports.slack !== null,
    new Date(nowMs).toISOString(),
    null,
    state.incidentId,
  );
  requireDelivered(state.incidentId, results, record);
  await ports.store.recordNotification(state.incidentId, record);
  if (record.slack.status === 'failed') ports.telemetry.count('SlackDeliveryFailures');
  ports.telemetry.count('PressureWarningsNotified');
  ports.telemetry.info('notified a memory-pressure warning', {
    incidentId: state.incidentId,
    instanceId: state.instanceId,
    exhaustionMinutes: outcome.analysis?.exhaustion?.minutes ?? null,
    confirmed: outcome.analysis?.host.confirmation.status ?? 'unknown',
    slack: record.slack.status,
    sns: record.sns.status,
  });
  return { incidentId: state.incidentId, ...record };
}

/**
 * Whether the notify Lambda's payload is a warning's: its state as it is, or wrapped with the execution's ARN
 * (`{state, executionArn}`, as the state machine passes it).
 */
export function isPressureNotification(event: unknown): boolean {
  if (isPressureState(event)) return true;
  return typeof event === 'object' && event !== null && isPressureState((event as { state?: unknown }).state);
}

/** Everything known at the end of a pressure response, whichever path the workflow took. */
export function pressureOutcome(
  state: PressureNotifyEvent,
  executionArn: string | null,
  config: Pick<NotifyIncidentConfig, 'outputBucket' | 'partition' | 'region'>,
): PressureOutcome {
  const analyzed = state.analysis as
    | { diagnostics?: PressureOutcome['diagnostics']; analysis?: PressureAnalysis }
    | undefined;
  const context: ResponseContext = {
    partition: config.partition,
    region: config.region,
    accountId: state.alarmArn.split(':')[4] || null,
    executionArn,
  };
  const {
    diagnostics: _d,
    diagnosticsSendError: _e,
    analysis: _a,
    actions,
    failure,
    provenance,
    ...warning
  } = state;
  return {
    warning,
    diagnostics: analyzed?.diagnostics ?? diagnosticsOutcome(state, config.outputBucket),
    // An analysis of another shape (a kill's, a future version) is not shown as a warning's.
    analysis: analyzed?.analysis?.kind === 'pressure' ? analyzed.analysis : null,
    actions: actionResults(actions),
    failure: failure ? { stage: failure.stage, error: failureText(failure) } : null,
    context,
    // Only a labelled (sample) state adds the key: a live outcome is exactly what it was.
    ...(provenance && provenance.kind !== 'live' ? { provenance } : {}),
  };
}

/** The warning's message on each channel, in the shape the channel jobs send. */
export function pressureMessages(outcome: PressureOutcome, qDeveloperFormat: boolean): Messages {
  const sns = renderPressureSns(outcome);
  return {
    kind: 'incident',
    slack: renderPressureSlack(outcome),
    sns: withFormat(sns, 'text'),
    q: qDeveloperFormat
      ? withFormat({ ...sns, message: JSON.stringify(renderPressureQ(outcome)) }, 'q-developer')
      : null,
    unlisted: [],
  };
}

function parseEvent(event: unknown): { state: PressureNotifyEvent; executionArn: string | null } {
  const wrapper = event as { state?: unknown; executionArn?: unknown } | null;
  if (wrapper && typeof wrapper === 'object' && 'state' in wrapper) {
    return {
      state: PressureNotifyEventSchema.parse(wrapper.state),
      executionArn: typeof wrapper.executionArn === 'string' ? wrapper.executionArn : null,
    };
  }
  return { state: PressureNotifyEventSchema.parse(event), executionArn: null };
}
