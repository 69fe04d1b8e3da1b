import type { AnalyzeInput } from '../input';
import type { ActionName } from '../model';
import { parseTime } from '../time';

const HOUR_MS = 3_600_000;

/** Why nothing can be sent to the instance, or null when it is resolved. */
export function unresolvedReason(input: AnalyzeInput): string | null {
  const { instance } = input.incident;
  if (instance.instanceId !== null) return null;
  const host = instance.hostname ?? instance.privateIp ?? 'unknown host';
  return `the instance behind ${host} was not resolved to an instance id: nothing can be sent to it`;
}

/**
 * Why the per-instance hourly limit stops this action, or null. An action whose time cannot be read counts as
 * recent: when in doubt, do less to a host.
 */
export function hourlyLimitReason(
  input: Pick<AnalyzeInput, 'recentActions'>,
  action: ActionName,
  instanceId: string,
  max: number,
  nowMs: number,
): string | null {
  const recent = input.recentActions.filter((done) => {
    if (done.action !== action || done.instanceId !== instanceId) return false;
    const at = parseTime(done.at);
    return at === null || at > nowMs - HOUR_MS;
  }).length;
  if (recent < max) return null;
  return `limit reached: ${recent} ${action} on ${instanceId} in the last hour (policy allows ${max} per instance per hour)`;
}
