import { drillIdOf } from '../drill/drill-report';
import type { ObservedKill } from './full-report';

/** The kills one incident is opened (or joined) with: its first kill opens it. */
export interface HostGroup {
  hostKey: string;
  /** The drill id when the group's kills are a drill's synthetic report, else null. */
  drill: { id: string } | null;
  kills: ObservedKill[];
}

/**
 * Kills of one host, in time order, cut where a kill falls outside the cooldown of the group's first. A drill's
 * kills are grouped apart from the host's real kills (and from another drill's): a drill never opens or joins a
 * real incident.
 */
export function groupByHostAndCooldown(
  kills: ObservedKill[],
  logStream: string,
  cooldownMs: number,
): HostGroup[] {
  const byHost = new Map<string, { hostKey: string; drillId: string | null; kills: ObservedKill[] }>();
  for (const observed of kills) {
    const hostKey = observed.kill.hostname ?? observed.kill.logStream ?? logStream;
    const drillId = drillIdOf(observed.kill);
    // A newline cannot be in a host key nor a drill id: the two parts cannot run into each other.
    const key = drillId === null ? hostKey : `${hostKey}\ndrill:${drillId}`;
    const entry = byHost.get(key);
    if (entry) entry.kills.push(observed);
    else byHost.set(key, { hostKey, drillId, kills: [observed] });
  }
  const groups: HostGroup[] = [];
  for (const { hostKey, drillId, kills: hostKills } of byHost.values()) {
    const sorted = [...hostKills].sort((a, b) => a.observedAtMs - b.observedAtMs);
    const drill = drillId === null ? null : { id: drillId };
    let current: HostGroup | null = null;
    let openedAt = 0;
    for (const observed of sorted) {
      if (!current || observed.observedAtMs - openedAt >= cooldownMs) {
        current = { hostKey, drill, kills: [] };
        openedAt = observed.observedAtMs;
        groups.push(current);
      }
      current.kills.push(observed);
    }
  }
  return groups;
}
