import type { ObservedKill } from './full-report';

/** The kills one incident is opened (or joined) with: its first kill opens it. */
export interface HostGroup {
  hostKey: string;
  kills: ObservedKill[];
}

/** Kills of one host, in time order, cut where a kill falls outside the cooldown of the group's first. */
export function groupByHostAndCooldown(
  kills: ObservedKill[],
  logStream: string,
  cooldownMs: number,
): HostGroup[] {
  const byHost = new Map<string, ObservedKill[]>();
  for (const observed of kills) {
    const hostKey = observed.kill.hostname ?? observed.kill.logStream ?? logStream;
    const list = byHost.get(hostKey);
    if (list) list.push(observed);
    else byHost.set(hostKey, [observed]);
  }
  const groups: HostGroup[] = [];
  for (const [hostKey, hostKills] of byHost) {
    const sorted = [...hostKills].sort((a, b) => a.observedAtMs - b.observedAtMs);
    let current: HostGroup | null = null;
    let openedAt = 0;
    for (const observed of sorted) {
      if (!current || observed.observedAtMs - openedAt >= cooldownMs) {
        current = { hostKey, kills: [] };
        openedAt = observed.observedAtMs;
        groups.push(current);
      }
      current.kills.push(observed);
    }
  }
  return groups;
}
