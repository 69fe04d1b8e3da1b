import type { ContainerInfo } from '../diagnostics/model';
import { formatKiB } from '../format/bytes';
import { clipText } from '../incident/bounded-text';
import { type GroupKill, groupKillOf, largestOf, outsideGroup } from '../incident/group-kill';
import type { Incident, KillDigest } from '../incident/model';
import { workerBurstOf } from '../incident/worker-burst';
import { readableCgroupPath, workloadLabel, workloadOf } from '../workload';
import { namedWorkload, placeLabel, victimLabel } from './kill-facts';
import { oneLine } from './text-fit';

/** The headline before ` on <host>` stays this short, whatever the names in it: it is read first, on a phone. */
export const MAX_HEADLINE_CHARS = 150;
/** A cgroup path in the headline keeps its last characters (the container, the unit): its start is the same everywhere. */
const MAX_PATH_CHARS = 64;

/**
 * What was killed, in one short line (the part of every channel's title before ` on <host>`):
 * - one kill: `java (pid 4242)`, with its workload by name when the diagnostics tell it;
 * - an oom.group kill: `the whole cgroup /test1 was killed (12 tasks; largest: a.out pid 9188, 10.6 MiB)`;
 * - a worker pool: `apache2 (pid 15599, 45 MiB, the largest) + 5 more kills of apache2 in 2 min`;
 * - other kills together: the largest victim and how many more.
 * `prefix` is what the title puts before it (`OOM kill: `): the two together stay within `MAX_HEADLINE_CHARS`.
 */
export function killHeadline(
  incident: Incident,
  containers: readonly ContainerInfo[] = [],
  prefix = '',
): string {
  const text = oneLine(headlineOf(incident, containers));
  return clipText(text, Math.max(40, MAX_HEADLINE_CHARS - prefix.length));
}

function headlineOf(incident: Incident, containers: readonly ContainerInfo[]): string {
  const { kills, killCount, firstKill } = incident;
  const group = groupKillOf(kills);
  if (group) {
    const unlisted = killCount > kills.length && outsideGroup(kills, group).length === 0;
    const others = unlisted ? 0 : Math.max(0, killCount - group.tasks.length);
    return `${groupPhrase(group, incident, containers, unlisted)}${more(others)}`;
  }
  if (killCount <= 1) return `${victimLabel(firstKill)}${within(firstKill.container, containers)}`;
  const burst = workerBurstOf(kills, firstKill.process);
  // Beyond the listed kills, sizes and names are unknown: "the largest" is of those listed.
  const of = killCount > kills.length ? `the largest of the ${kills.length} listed` : 'the largest';
  if (burst) {
    const largest = largestOf(kills) ?? (kills[0] as KillDigest);
    const worker = largest.kind === 'kernel' && largest.process === burst.name;
    // The others of the pool: all of it when the largest victim is not one of its workers.
    const peers = burst.pids.length - (worker ? 1 : 0);
    const span = burst.spanMs === null ? '' : ` in ${spanText(burst.spanMs)}`;
    return killCount - 1 > peers
      ? `${sized(largest, containers, of)}${more(killCount - 1)} (${peers} of them ${burst.name}${span})`
      : `${sized(largest, containers, of)} + ${peers} more kills of ${burst.name}${span}`;
  }
  const largest = largestOf(kills);
  // Without a size there is no "largest": the kill that opened the incident stands for them.
  if (!largest || largest.rssKb === null)
    return `${victimLabel(firstKill)}${within(firstKill.container, containers)}${more(killCount - 1)}`;
  return `${sized(largest, containers, of)}${more(killCount - 1)}`;
}

/**
 * `the whole cgroup <path> was killed (N tasks; largest: name pid P, RSS)`; a cgroup of one task reads as that
 * victim, `its whole cgroup was killed (memory.oom.group, 1 task)`.
 */
function groupPhrase(
  group: GroupKill,
  incident: Incident,
  containers: readonly ContainerInfo[],
  unlisted: boolean,
): string {
  const { largest, tasks } = group;
  if (tasks.length === 1 && !unlisted) {
    return `${victimLabel(incident.firstKill)}${within(incident.firstKill.container, containers)}: its whole cgroup was killed (memory.oom.group, 1 task)`;
  }
  const size = largest.rssKb === null ? '' : `, ${formatKiB(largest.rssKb)}`;
  const pid = largest.pid === null ? '' : ` pid ${largest.pid}`;
  const count = `${unlisted ? 'at least ' : ''}${tasks.length} tasks`;
  return `the whole cgroup ${groupPlace(group, incident, containers)} was killed (${count}; largest: ${largest.process ?? '?'}${pid}${size})`;
}

/**
 * The cgroup killed whole, as short as it can be told: its workload when the group is the victim's own cgroup (`of
 * pod payments/api-7d9f (container api)`), else its path, readable, cut to its last components.
 */
function groupPlace(group: GroupKill, incident: Incident, containers: readonly ContainerInfo[]): string {
  const first = incident.kills[0];
  if (first && group.memcg === first.memcg) {
    const place = placeLabel(first, containers);
    if (place && place !== group.memcg) return `of ${place}`;
  }
  const path = readableCgroupPath(group.memcg, workloadOf(incident.firstKill.container, [...containers]));
  return tail(path, MAX_PATH_CHARS);
}

/** `apache2 (pid 15599, 45 MiB, the largest)`, with its workload by name when the diagnostics tell it. */
function sized(kill: KillDigest, containers: readonly ContainerInfo[], largest: string): string {
  const who =
    kill.kind === 'systemd-oomd'
      ? `${kill.systemdUnit ?? '?'} (systemd-oomd`
      : `${kill.process ?? '?'} (pid ${kill.pid ?? '?'}`;
  const size = kill.rssKb === null ? '' : `, ${formatKiB(kill.rssKb)}`;
  return `${who}${size}, ${largest})${within(kill.container, containers)}`;
}

function within(container: KillDigest['container'], containers: readonly ContainerInfo[]): string {
  const workload = namedWorkload(container, containers);
  return workload ? ` in ${workloadLabel(workload)}` : '';
}

function more(count: number): string {
  return count > 0 ? ` + ${count} more kill${count > 1 ? 's' : ''}` : '';
}

/** `2 min`, `12 s`: how long a burst of kills took. */
export function spanText(ms: number): string {
  const min = ms / 60_000;
  return min < 1 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${Math.round(min)} min`;
}

/** The end of a long path, where it tells one cgroup from another: whole components where they fit. */
function tail(path: string, max: number): string {
  if (path.length <= max) return path;
  const parts = path.split('/');
  let kept = parts.pop() ?? '';
  while (parts.length > 0 && kept.length + (parts[parts.length - 1]?.length ?? 0) + 2 <= max)
    kept = `${parts.pop()}/${kept}`;
  return kept.length + 2 <= max ? `…/${kept}` : `…${kept.slice(kept.length - max + 1)}`;
}
