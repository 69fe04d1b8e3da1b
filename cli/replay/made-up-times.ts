import type { KillRecorder, RecordKillsRequest } from '../../functions/core/detect/ports';
import type { KillDigest } from '../../functions/core/incident/model';
import type { Kill } from '../../functions/core/kernel-log';

/**
 * The detector's store for a replay, recording kills stamped with a time the replay made up (`LineTime.madeUp`:
 * another host's `dmesg` without `--host-exec`, a demo's bundled report) without that time. Live, CloudWatch's
 * timestamp is when the agent read the line, seconds after the kill; in a replay it is only the order the replay
 * gave the lines, and the message would date the kill by the replay's clock. Without it, the message says what the
 * log does tell: seconds after boot.
 */
export function withoutMadeUpTimes(store: KillRecorder, madeUpTimesMs: ReadonlySet<number>): KillRecorder {
  if (madeUpTimesMs.size === 0) return store;
  const madeUp = (time: string | null): boolean => time !== null && madeUpTimesMs.has(Date.parse(time));
  const kill = (k: Kill): Kill => (madeUp(k.time) ? { ...k, time: null } : k);
  const digest = (d: KillDigest): KillDigest => (madeUp(d.time) ? { ...d, time: null } : d);
  return {
    recordKills: (request: RecordKillsRequest) =>
      store.recordKills({
        ...request,
        kills: request.kills.map((k) => ({ ...k, kill: kill(k.kill), digest: digest(k.digest) })),
        incident: {
          ...request.incident,
          firstKill: kill(request.incident.firstKill),
          kills: request.incident.kills.map(digest),
        },
      }),
    markExecutionStarted: (incidentId, executionArn) => store.markExecutionStarted(incidentId, executionArn),
    getIncident: (incidentId) => store.getIncident(incidentId),
  };
}
