import { createHash } from 'node:crypto';
import { MEMORY_METRIC_NAMES, type MemoryMetricName } from '../metrics/memory-series';
import { executionArnFor } from '../workflow/execution-arn';
import type { PressureWorkflowInput } from '../workflow/pressure-state';
import type { InstancePressure } from './contributor-event';
import type { PressureIncident } from './ports';

/** CloudWatch's reason is a sentence or two; a longer one is clipped rather than stored whole. */
const MAX_REASON_CHARS = 1000;

/**
 * The incident id of a warning: `pressure-<UTC time of the warning>-<hash>`, the hash of the alarm, the contributor,
 * its instance and the time, so that every delivery of one event yields one id (and one execution: executions are
 * named after it). The instance is hashed too rather than trusted to follow from CloudWatch's contributor id.
 * Within Step Functions' 80 characters of an execution name, and its alphabet.
 */
export function pressureIncidentId(
  warning: Pick<InstancePressure, 'alarmArn' | 'contributorId' | 'instanceId' | 'at'>,
): string {
  const stamp = warning.at.replace(/[-:]/g, '').slice(0, 15);
  const hash = createHash('sha256')
    .update(`${warning.alarmArn}\n${warning.contributorId}\n${warning.instanceId}\n${warning.at}`)
    .digest('hex')
    .slice(0, 16);
  return `pressure-${/^\d{8}T\d{6}$/.test(stamp) ? stamp : 'unknown'}-${hash}`;
}

/** The incident a warning opens, before it is recorded. */
export function pressureIncidentOf(
  warning: InstancePressure,
  stateMachineArn: string,
  now: Date,
): PressureIncident {
  const id = pressureIncidentId(warning);
  return {
    id,
    kind: 'pressure',
    instanceId: warning.instanceId,
    alarmName: warning.alarmName,
    alarmArn: warning.alarmArn,
    contributorId: warning.contributorId,
    metric: knownMetric(warning.metric),
    latestValue: warning.latestValue ?? null,
    threshold: warning.threshold ?? null,
    warnedAt: warning.at,
    reason: warning.reason.slice(0, MAX_REASON_CHARS),
    executionArn: executionArnFor(stateMachineArn, id),
    openedAt: now.toISOString(),
  };
}

/** The pressure workflow's input for an incident (`PressureWorkflowInputSchema`). */
export function pressureWorkflowInput(incident: PressureIncident): PressureWorkflowInput {
  return {
    mode: 'pressure',
    incidentId: incident.id,
    instanceId: incident.instanceId,
    alarmName: incident.alarmName,
    alarmArn: incident.alarmArn,
    metric: incident.metric,
    latestValue: incident.latestValue,
    threshold: incident.threshold,
    warnedAt: incident.warnedAt,
  };
}

function knownMetric(metric: string | undefined): MemoryMetricName | null {
  return MEMORY_METRIC_NAMES.find((name) => name === metric) ?? null;
}
