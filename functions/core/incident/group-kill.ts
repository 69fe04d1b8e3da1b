import { parseTime } from '../format/time';
import type { KillDigest } from './model';

/**
 * How far apart (seconds) two kills of one `memory.oom.group` kill can be. The kernel kills the tasks one after the
 * other in one call (mm/oom_kill.c, `mem_cgroup_scan_tasks`): milliseconds in the corpus (12 tasks in 0.1 s), so a
 * second oom.group kill of the same cgroup minutes later is another event, not more of this one.
 */
const SAME_GROUP_KILL_SECONDS = 5;

/**
 * A cgroup the kernel killed whole: `Tasks in <cgroup> are going to be killed due to memory.oom.group set` and a
 * `Killed process` line for each of its tasks. One event, however many tasks it took.
 */
export interface GroupKill {
  /** The cgroup killed whole, as the kernel printed it. */
  memcg: string;
  /** Its tasks, each pid once, in the order the kernel killed them; the chosen victim first. */
  tasks: KillDigest[];
  /** The one of them with the most resident memory at its kill (the first, when none printed a size). */
  largest: KillDigest;
}

/**
 * The oom.group kill that opened the incident: the first kill's group and every later kill of the same group within
 * the same call of the OOM killer, each pid once (the kernel prints the chosen victim again among the group's
 * tasks). Null when the first kill was not an oom.group kill.
 */
export function groupKillOf(kills: readonly KillDigest[]): GroupKill | null {
  const first = kills[0];
  const memcg = first?.oomGroupMemcg ?? null;
  if (!first || memcg === null || first.kind !== 'kernel') return null;
  const tasks: KillDigest[] = [];
  for (const kill of kills) {
    if (kill.kind !== 'kernel' || kill.oomGroupMemcg !== memcg || !sameCall(first, kill)) continue;
    if (kill.pid !== null && tasks.some((task) => task.pid === kill.pid)) continue;
    tasks.push(kill);
  }
  return { memcg, tasks, largest: largestOf(tasks) ?? first };
}

/** The kills of an incident that are not tasks of `group` (kills that joined it later), in order. */
export function outsideGroup(kills: readonly KillDigest[], group: GroupKill | null): KillDigest[] {
  if (!group) return [...kills];
  return kills.filter(
    (kill) =>
      !group.tasks.includes(kill) &&
      // The victim printed again among its group's tasks is no kill of its own.
      !(kill.oomGroupMemcg === group.memcg && group.tasks.some((task) => task.pid === kill.pid)),
  );
}

/**
 * The kills of an incident with each oom.group kill counted once (its first task standing for it): what recurrence
 * and pool detection read, since tasks a cgroup lost together are one event, never a pool dying one by one.
 */
export function killEvents(kills: readonly KillDigest[]): KillDigest[] {
  const events: KillDigest[] = [];
  for (const kill of kills) {
    const group = kill.oomGroupMemcg ?? null;
    const within =
      group !== null &&
      kill.kind === 'kernel' &&
      events.some((event) => event.oomGroupMemcg === group && sameCall(event, kill));
    if (!within) events.push(kill);
  }
  return events;
}

/** The kill with the most resident memory at its kill, the earliest on a tie; the first when none has a size. */
export function largestOf(kills: readonly KillDigest[]): KillDigest | undefined {
  let largest = kills[0];
  for (const kill of kills) {
    if (kill.rssKb !== null && (largest?.rssKb == null || kill.rssKb > largest.rssKb)) largest = kill;
  }
  return largest;
}

/** Whether two kills of one cgroup came from one call of the OOM killer: kernel stamps, else wall times, close. */
function sameCall(a: KillDigest, b: KillDigest): boolean {
  if (a.kernelTime !== null && b.kernelTime !== null)
    return Math.abs(b.kernelTime - a.kernelTime) < SAME_GROUP_KILL_SECONDS;
  const at = parseTime(a.time);
  const bt = parseTime(b.time);
  if (at !== null && bt !== null) return Math.abs(bt - at) < SAME_GROUP_KILL_SECONDS * 1000;
  // No comparable clock: the lines came together in one report.
  return true;
}
