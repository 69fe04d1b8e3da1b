import { parseTime } from '../format/time';
import { killEvents } from './group-kill';
import type { KillDigest, PriorKill } from './model';

/** Kills of one name closer together than this read as one burst: a pool's workers, not one process's life. */
export const BURST_WINDOW_MS = 15 * 60_000;
/** The kernel prints one kill twice (`memory.oom.group` kills the victim again): closer than this, one kill. */
const SAME_KILL_MS = 5_000;
/** How many different processes of one name make a pool rather than a restart or two. */
const POOL_MIN = 3;

export interface WorkerBurst {
  name: string;
  /** The distinct pids killed, in order. */
  pids: number[];
  /** From the first to the last of them, or null when their times are unknown. */
  spanMs: number | null;
  /** Resident memory of each at its kill, where the kill line printed it (same order as `pids`). */
  rssKb: (number | null)[];
}

/**
 * The kernel kills of `name` in an incident, each process once: a pid the kernel printed twice within a few
 * seconds (a `memory.oom.group` kill names its victim again) is one kill, and the tasks of one oom.group kill are
 * one event (`killEvents`): a cgroup killed whole is no pool dying one by one. Oldest first, as the incident keeps them.
 */
export function distinctKillsOf(kills: readonly KillDigest[], name: string | null): KillDigest[] {
  if (name === null) return [];
  const timeOf = clockOf(kills);
  const kept: KillDigest[] = [];
  for (const kill of killEvents(kills)) {
    if (kill.kind !== 'kernel' || kill.process !== name) continue;
    const twice = kept.some(
      (other) =>
        other.pid !== null && other.pid === kill.pid && Math.abs(timeOf(other) - timeOf(kill)) < SAME_KILL_MS,
    );
    if (!twice) kept.push(kill);
  }
  return kept;
}

/**
 * Three or more different processes of the first kill's name killed within 15 minutes in one incident: the
 * workers of a pool (apache2, php-fpm, gunicorn) dying one after another, whose RSS values are different
 * processes, never one process's growth. Null otherwise.
 */
export function workerBurstOf(kills: readonly KillDigest[], name: string | null): WorkerBurst | null {
  const distinct = distinctKillsOf(kills, name);
  const pids = [...new Set(distinct.map((kill) => kill.pid).filter((pid): pid is number => pid !== null))];
  if (name === null || pids.length < POOL_MIN) return null;
  const timeOf = clockOf(distinct);
  const times = distinct.map(timeOf).filter((ms) => Number.isFinite(ms));
  const spanMs = times.length === distinct.length ? Math.max(...times) - Math.min(...times) : null;
  if (spanMs !== null && spanMs > BURST_WINDOW_MS) return null;
  const rssKb = pids.map((pid) => distinct.find((kill) => kill.pid === pid)?.rssKb ?? null);
  return { name, pids, spanMs, rssKb };
}

/**
 * Milliseconds on one clock for kills of one host: the kernel's stamps when every kill has one (seconds since
 * boot, so never mixed with wall times), else the wall times; NaN for a kill the clock cannot place.
 */
function clockOf(kills: readonly KillDigest[]): (kill: KillDigest) => number {
  const kernel = kills.every((kill) => kill.kernelTime !== null);
  return (kill) => (kernel ? (kill.kernelTime ?? Number.NaN) * 1000 : (parseTime(kill.time) ?? Number.NaN));
}

/** The earlier kills of a process here, each earlier incident's pool burst counted as one event. */
export interface PriorEvents {
  /** Oldest first as given; a burst stands as its first kill, with no pid and no size (no one process's). */
  events: PriorKill[];
  /** The workers of the largest burst folded, 0 when none was. */
  largestBurst: number;
}

/**
 * Earlier kills (`history`) with the workers of a pool that one earlier incident lost together (three or more
 * different pids within 15 minutes) folded into one event: their sizes are different processes, never a leak's
 * growth, and their count is one burst, not so many kills of one process.
 */
export function priorEvents(history: readonly PriorKill[]): PriorEvents {
  const byIncident = new Map<string, PriorKill[]>();
  for (const kill of history)
    byIncident.set(kill.incidentId, [...(byIncident.get(kill.incidentId) ?? []), kill]);
  const folded = new Set<string>();
  let largestBurst = 0;
  for (const [incidentId, kills] of byIncident) {
    const pids = new Set(kills.map((kill) => kill.pid).filter((pid) => pid !== null));
    const times = kills.map((kill) => parseTime(kill.time)).filter((ms): ms is number => ms !== null);
    const span = times.length === kills.length ? Math.max(...times) - Math.min(...times) : null;
    if (pids.size < POOL_MIN || span === null || span > BURST_WINDOW_MS) continue;
    folded.add(incidentId);
    largestBurst = Math.max(largestBurst, pids.size);
  }
  const seen = new Set<string>();
  const events: PriorKill[] = [];
  for (const kill of history) {
    if (!folded.has(kill.incidentId)) events.push(kill);
    else if (!seen.has(kill.incidentId)) {
      seen.add(kill.incidentId);
      events.push({ ...kill, pid: null, rssKb: null });
    }
  }
  return { events, largestBurst };
}
