import type { ContainerInfo } from '../diagnostics/model';
import { groupKillOf, largestOf, outsideGroup } from '../incident/group-kill';
import type { Incident, KillDigest } from '../incident/model';
import { workerBurstOf } from '../incident/worker-burst';
import { readableCgroupPath, workloadOf } from '../workload';
import { spanText } from './headline';

/**
 * What the kills of an incident were, over their list: `The whole cgroup /test1 was killed (memory.oom.group): 12
 * tasks`, `6 kills of apache2 in 2 min: a worker pool`, else `3 kills in this incident`.
 */
export function killListHeading(incident: Incident, containers: readonly ContainerInfo[] = []): string {
  const { kills, killCount, firstKill } = incident;
  const group = groupKillOf(kills);
  if (group) {
    const path = readableCgroupPath(group.memcg, workloadOf(firstKill.container, containers));
    const others = outsideGroup(kills, group).length + Math.max(0, killCount - kills.length);
    const tasks = `${group.tasks.length} task${group.tasks.length > 1 ? 's' : ''}`;
    return `The whole cgroup ${path} was killed (memory.oom.group): ${tasks}${
      others > 0 ? `, then ${others} more kill${others > 1 ? 's' : ''}` : ''
    }`;
  }
  const burst = workerBurstOf(kills, firstKill.process);
  if (burst && burst.pids.length === killCount) {
    const span = burst.spanMs === null ? '' : ` in ${spanText(burst.spanMs)}`;
    return `${killCount} kills of ${burst.name}${span}: a worker pool`;
  }
  return `${killCount} kills in this incident`;
}

/** The kill the list marks `(the largest)`: the one with the most RSS, when at least two printed a size. */
export function largestMark(kills: readonly KillDigest[]): KillDigest | undefined {
  return kills.filter((kill) => kill.rssKb !== null).length >= 2 ? largestOf(kills) : undefined;
}
