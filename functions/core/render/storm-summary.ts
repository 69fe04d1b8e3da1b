import type { Incident } from '../incident/model';
import type { StormCount, StormSummary } from './storm';
import { oneLine } from './text-fit';

/**
 * Count a storm's incidents by process and by instance, worst first: most kills, then critical ones, then the
 * largest RSS at kill. Every kill of every incident counts (`killCount` is exact even when `kills` is capped).
 * Counts what it is given as it is: the rollup renderer redacts the incidents once, before this and its list.
 */
export function summarizeStorm(incidents: readonly Incident[]): StormSummary {
  const byProcess = new Map<string, Tally>();
  const byInstance = new Map<string, Tally>();
  for (const incident of incidents) {
    const instance = instanceName(incident);
    const processes = new Map<string, number>();
    for (const kill of incident.kills) {
      const name = oneLine(kill.process ?? kill.systemdUnit ?? 'unknown');
      processes.set(name, (processes.get(name) ?? 0) + 1);
    }
    const listed = [...processes.values()].reduce((a, b) => a + b, 0);
    // Kills past the stored cap count for the first kill's process: the best we know of them.
    const first = oneLine(incident.firstKill.process ?? incident.firstKill.systemdUnit ?? 'unknown');
    if (incident.killCount > listed)
      processes.set(first, (processes.get(first) ?? 0) + incident.killCount - listed);
    const maxRss = Math.max(...incident.kills.map((kill) => kill.rssKb ?? -1));
    for (const [name, kills] of processes) {
      add(byProcess, name, kills, incident, maxRss, instance);
      add(byInstance, instance, kills, incident, maxRss, name);
    }
  }
  const times = incidents.map((incident) => incident.openedAt).sort();
  return {
    incidents: incidents.length,
    kills: incidents.reduce((sum, incident) => sum + incident.killCount, 0),
    critical: incidents.filter((incident) => incident.severity === 'critical').length,
    instances: byInstance.size,
    windowStartedAt: incidents.find((incident) => incident.storm)?.storm?.windowStartedAt ?? null,
    firstAt: times[0] ?? null,
    lastAt: times[times.length - 1] ?? null,
    byProcess: ranked(byProcess),
    byInstance: ranked(byInstance),
  };
}

interface Tally {
  kills: number;
  incidents: Set<string>;
  critical: boolean;
  maxRssKb: number | null;
  spread: Set<string>;
}

function add(
  map: Map<string, Tally>,
  key: string,
  kills: number,
  incident: Incident,
  rss: number,
  other: string,
): void {
  const tally = map.get(key) ?? {
    kills: 0,
    incidents: new Set(),
    critical: false,
    maxRssKb: null,
    spread: new Set(),
  };
  tally.kills += kills;
  tally.incidents.add(incident.id);
  tally.critical ||= incident.severity === 'critical';
  if (rss >= 0) tally.maxRssKb = Math.max(tally.maxRssKb ?? 0, rss);
  tally.spread.add(other);
  map.set(key, tally);
}

function ranked(map: Map<string, Tally>): StormCount[] {
  return [...map.entries()]
    .map(([name, tally]) => ({
      name,
      kills: tally.kills,
      incidents: tally.incidents.size,
      critical: tally.critical,
      maxRssKb: tally.maxRssKb,
      spread: [...tally.spread].sort(),
    }))
    .sort(
      (a, b) =>
        b.kills - a.kills ||
        Number(b.critical) - Number(a.critical) ||
        (b.maxRssKb ?? -1) - (a.maxRssKb ?? -1) ||
        a.name.localeCompare(b.name),
    );
}

function instanceName(incident: Incident): string {
  const { instance } = incident;
  const name = instance.name ?? instance.hostname ?? incident.firstKill.hostname;
  const id = instance.instanceId;
  return oneLine(
    name && id && name !== id
      ? `${id} (${name})`
      : (id ?? name ?? incident.source.logStream ?? 'unresolved host'),
  );
}
