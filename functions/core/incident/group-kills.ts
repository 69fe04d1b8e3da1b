import type { Kill } from '../kernel-log';
import { isReprint } from './kill-digest';

/** The detector's cooldown: kills of one host within this of an incident's first kill join it. */
export const DEFAULT_GROUP_WINDOW_SECONDS = 15 * 60;

export interface KillGroup {
  hostKey: string;
  /** In input order; the first opened the incident, the others joined it. */
  kills: Kill[];
}

export interface GroupKillsOptions {
  /** @default 900 (15 minutes) */
  windowSeconds?: number;
  /** Which host a kill belongs to. @default the host name, else the log stream, else one unnamed host */
  hostKeyOf?: (kill: Kill) => string;
}

/** The host a kill came from, as the detector files it: its host name, else its log stream (one per instance). */
export function defaultHostKey(kill: Kill): string {
  return kill.hostname ?? kill.logStream ?? '-';
}

/**
 * Group kills into incidents the way the detector does: per host, the first kill opens an incident and later kills
 * within `windowSeconds` of that first kill join it; a kill past the window opens the next one. Times are compared
 * on the wall clock when both kills have one, else on the kernel's uptime clock (a smaller uptime means a reboot,
 * so a new incident); kills with no comparable time join the open incident rather than page twice. A victim printed
 * twice in one report (`isReprint`) is kept once. Pure; groups come out in the order their first kills came in.
 */
export function groupKills(kills: readonly Kill[], options: GroupKillsOptions = {}): KillGroup[] {
  const windowMs = (options.windowSeconds ?? DEFAULT_GROUP_WINDOW_SECONDS) * 1000;
  const hostKeyOf = options.hostKeyOf ?? defaultHostKey;
  const groups: KillGroup[] = [];
  const open = new Map<string, KillGroup>();
  // Each group's last kill of a pid: a reprint follows its first print within one report.
  const lastByPid = new Map<KillGroup, Map<number, Kill>>();
  for (const kill of kills) {
    const hostKey = hostKeyOf(kill);
    const current = open.get(hostKey);
    const first = current?.kills[0];
    if (current && first && withinWindow(first, kill, windowMs)) {
      const pids = lastByPid.get(current);
      const earlier = kill.pid === null ? undefined : pids?.get(kill.pid);
      if (earlier && isReprint(earlier, kill)) continue;
      current.kills.push(kill);
      if (kill.pid !== null) pids?.set(kill.pid, kill);
      continue;
    }
    const group: KillGroup = { hostKey, kills: [kill] };
    groups.push(group);
    open.set(hostKey, group);
    lastByPid.set(group, new Map(kill.pid === null ? [] : [[kill.pid, kill]]));
  }
  return groups;
}

function withinWindow(first: Kill, later: Kill, windowMs: number): boolean {
  const a = wallClock(first.time);
  const b = wallClock(later.time);
  if (a !== null && b !== null) return b - a >= 0 && b - a <= windowMs;
  if (first.kernelTime !== null && later.kernelTime !== null) {
    const delta = (later.kernelTime - first.kernelTime) * 1000;
    return delta >= 0 && delta <= windowMs;
  }
  return true;
}

/** Milliseconds of an ISO time; one without an offset is read as UTC, the same way for both kills compared. */
function wallClock(time: string | null): number | null {
  if (!time || !/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(time)) return null;
  const ms = Date.parse(/(?:Z|[+-]\d\d:?\d\d)$/.test(time) ? time : `${time}Z`);
  return Number.isNaN(ms) ? null : ms;
}
