import { PressureWorkflowInputSchema } from '../workflow/pressure-state';
import { ContributorEventError, instancePressure, parseContributorChange } from './contributor-event';
import type { PressureConfig, PressurePorts } from './ports';
import { pressureIncidentOf, pressureWorkflowInput } from './pressure-incident';

/** What became of one contributor event. */
export type WarningOutcome =
  | {
      status: 'started';
      incidentId: string;
      executionArn: string;
      alreadyStarted: boolean;
      duplicate: boolean;
    }
  | { status: 'cooling'; incidentId: string; openIncidentId: string; cooldownUntil: string }
  | { status: 'ignored'; reason: 'ok' | 'not-an-instance'; alarmName: string; message?: string }
  | {
      status: 'muted';
      alarmName: string;
      instanceId: string;
      mutedBy: string | null;
      until: string | null;
    }
  | { status: 'rejected'; message: string };

/**
 * Answer one memory-pressure warning: a contributor of an early-warning alarm that went into ALARM. The warning is
 * recorded as a pressure incident together with the instance's cooldown claim (one atomic write), then the
 * pressure workflow is started, named after the incident: EventBridge delivers at least once, and a second
 * delivery finds its incident recorded (`duplicate`) and its execution started (`alreadyStarted`), so it starts
 * nothing new. A warning on an instance within the cooldown of an earlier one is counted and left: on-call has
 * that one, and its diagnostics ran minutes ago.
 *
 * Not answered, logged and counted: a warning while an alarm mute rule mutes the alarm (an operator asked for
 * silence, a maintenance window say: no diagnostics, no swap, no message, no cooldown taken; a kill in that time
 * still gets its own response, from the kernel log), a contributor back to OK (the rule matches ALARM only; such an event comes
 * from a rule or replay of someone else's), a contributor that names no EC2 instance (an alarm grouped by
 * something else), and an event that is not a contributor state change at all (`rejected`: trying it again would
 * fail the same way). A store or Step Functions failure is thrown, for Lambda's retries and then the dead-letter
 * queue.
 *
 * AWS calls per warning: one TransactWriteItems and one StartExecution; a warning in its cooldown, one
 * TransactWriteItems (cancelled) alone; a duplicate, both (the start answers ExecutionAlreadyExists).
 */
export async function respondToWarning(
  event: unknown,
  ports: PressurePorts,
  config: PressureConfig,
): Promise<WarningOutcome> {
  const { telemetry } = ports;
  let change: ReturnType<typeof parseContributorChange>;
  try {
    change = parseContributorChange(event);
  } catch (error) {
    if (!(error instanceof ContributorEventError)) throw error;
    telemetry.count('MalformedPressureEvents');
    telemetry.warn('rejected an event that is not an alarm contributor state change', {
      reason: error.message,
    });
    return { status: 'rejected', message: error.message };
  }
  if (change.state !== 'ALARM') {
    telemetry.count('PressureWarningsIgnored');
    telemetry.info('ignored a contributor back to OK', {
      alarmName: change.alarmName,
      contributor: change.contributorId,
    });
    return { status: 'ignored', reason: 'ok', alarmName: change.alarmName };
  }
  let warning: ReturnType<typeof instancePressure>;
  try {
    warning = instancePressure(event);
  } catch (error) {
    if (!(error instanceof ContributorEventError)) throw error;
    telemetry.count('PressureWarningsIgnored');
    telemetry.warn('ignored a contributor that names no EC2 instance', {
      alarmName: change.alarmName,
      reason: error.message,
    });
    return {
      status: 'ignored',
      reason: 'not-an-instance',
      alarmName: change.alarmName,
      message: error.message,
    };
  }
  if (warning.mute !== null) {
    telemetry.count('PressureWarningsMuted');
    telemetry.info('a warning while an alarm mute rule mutes the alarm; not answered', {
      alarmName: warning.alarmName,
      instanceId: warning.instanceId,
      mutedBy: warning.mute.ruleArn,
      until: warning.mute.until,
    });
    return {
      status: 'muted',
      alarmName: warning.alarmName,
      instanceId: warning.instanceId,
      mutedBy: warning.mute.ruleArn,
      until: warning.mute.until,
    };
  }
  telemetry.count('PressureWarnings');
  const now = ports.now();
  const incident = pressureIncidentOf(warning, config.stateMachineArn, now);
  const warnedAtMs = Number.isNaN(Date.parse(warning.at)) ? now.getTime() : Date.parse(warning.at);
  const recorded = await ports.store.recordWarning({
    instanceKey: warning.instanceId,
    incident,
    warnedAtMs,
    cooldownMs: config.cooldownMs,
    expiresAt: Math.floor((now.getTime() + config.retentionMs) / 1000),
  });
  const fields = { incidentId: incident.id, instanceId: warning.instanceId, alarmName: warning.alarmName };
  if (recorded.outcome === 'cooling') {
    telemetry.count('PressureWarningsCoolingDown');
    telemetry.info('a warning within the cooldown of an earlier one on the instance; not answered again', {
      ...fields,
      openIncidentId: recorded.incidentId,
    });
    return {
      status: 'cooling',
      incidentId: incident.id,
      openIncidentId: recorded.incidentId,
      cooldownUntil: new Date(recorded.cooldownUntilMs).toISOString(),
    };
  }
  const duplicate = recorded.outcome === 'duplicate';
  if (duplicate) telemetry.count('DuplicatePressureWarnings');
  // The contract of the state machine, checked here so that a bad input fails this invocation, not an execution.
  const input = PressureWorkflowInputSchema.parse(pressureWorkflowInput(incident));
  const started = await ports.workflow.start(incident.id, input);
  if (!started.alreadyStarted) telemetry.count('PressureWorkflowsStarted');
  telemetry.info(
    started.alreadyStarted ? 'the pressure workflow was already started' : 'started the pressure workflow',
    {
      ...fields,
      executionArn: started.executionArn,
      duplicate,
    },
  );
  return {
    status: 'started',
    incidentId: incident.id,
    executionArn: started.executionArn,
    alreadyStarted: started.alreadyStarted,
    duplicate,
  };
}
