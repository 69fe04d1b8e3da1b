import { CRITICAL_PROCESSES } from '../incident/build';
import type { Incident, StormContext } from '../incident/model';

/**
 * When a fleet-wide event (a bad deploy, a traffic spike) starts many incidents at once, one message per incident
 * floods the channel while hiding the pattern. Past `threshold` incidents in the detector's window, incidents are
 * rolled up into one summary instead.
 *
 * - `notify`: at or under the threshold, send this incident's own message.
 * - `open-rollup`: the first incident over the threshold: post the rollup (the incidents so far).
 * - `join-rollup`: a later one: fold it into the rollup (update or re-post it), send nothing of its own.
 */
export type StormDecision = 'notify' | 'open-rollup' | 'join-rollup';

export function stormDecision(storm: StormContext | null, threshold: number): StormDecision {
  if (storm === null || !Number.isFinite(threshold) || storm.incidentsInWindow <= threshold) return 'notify';
  return storm.incidentsInWindow === Math.floor(threshold) + 1 ? 'open-rollup' : 'join-rollup';
}

/** Whether this incident belongs in a storm rollup rather than a message of its own. */
export function shouldRollUp(incident: Pick<Incident, 'storm'>, threshold: number): boolean {
  return stormDecision(incident.storm, threshold) !== 'notify';
}

/**
 * Never folded into a rollup, however large the storm: an incident that killed a process the instance depends on
 * (sshd, the SSM agent, kubelet, … any of its kills, joined ones too), or a host-wide kill on a critical host,
 * which the model has no tag for and is read here as one whose kernel report shows such a process within the OOM
 * killer's reach (its task table). PID 1's `systemd` is left out of that reading: every host runs it.
 */
export function namedIndividually(incident: Pick<Incident, 'kills' | 'firstKill'>): boolean {
  const critical = (name: string | null) => name !== null && CRITICAL_PROCESSES.includes(name);
  if (critical(incident.firstKill.process) || incident.kills.some((kill) => critical(kill.process)))
    return true;
  return (
    !incident.firstKill.cgroup &&
    incident.firstKill.tasks.some((task) => task.name !== 'systemd' && critical(task.name))
  );
}

export interface StormCount {
  /** A process name or an instance label. */
  name: string;
  kills: number;
  incidents: number;
  critical: boolean;
  /** Largest RSS at kill, KiB. */
  maxRssKb: number | null;
  /** The other side: instances of a process, processes of an instance. */
  spread: string[];
}

export interface StormSummary {
  incidents: number;
  kills: number;
  critical: number;
  instances: number;
  windowStartedAt: string | null;
  firstAt: string | null;
  lastAt: string | null;
  byProcess: StormCount[];
  byInstance: StormCount[];
}
