import { formatKiB } from '../format/bytes';
import { parseTime } from '../format/time';
import type { Incident } from '../incident/model';
import { distinctKillsOf, priorEvents, workerBurstOf } from '../incident/worker-burst';

/** How far back "here recently" reaches: a day, the span an on-call shift thinks in. */
const WINDOW_MS = 24 * 60 * 60 * 1000;
/** RSS values shown in the trend: enough to see a leak grow, short enough for one line. */
const MAX_TREND = 6;

interface Point {
  at: number | null;
  rssKb: number | null;
}

/**
 * "3rd kill of java here in 24 h; RSS at kill 2.1 -> 2.6 -> 3.0 GiB": the earlier kills of the same process on
 * the same instance (`history`) and this incident's own kills of it, oldest first. Null when this is the only
 * kill on record. Times that do not parse are kept in order but not counted against the window.
 */
export function describeRecurrence(incident: Incident): string | null {
  const process = incident.firstKill.process;
  // Different processes of one name dying together are a pool's workers: their sizes are no one's history.
  const burst = workerBurstOf(incident.kills, process);
  if (burst) {
    const within = burst.spanMs === null ? '' : ` within ${minutes(burst.spanMs)}`;
    return `${burst.pids.length} different ${process} processes killed here${within} (pids ${burst.pids.join(', ')}): a pool's workers, not one process's history`;
  }
  // An earlier incident's pool burst is one event, its workers' sizes no one's history.
  const prior = priorEvents(incident.history);
  const points: Point[] = [
    ...prior.events.map((event) => ({ at: parseTime(event.time), rssKb: event.rssKb })),
    // A kill the kernel printed twice (memory.oom.group names its victim again) counts once.
    ...distinctKillsOf(incident.kills, process).map((kill) => ({
      at: parseTime(kill.time),
      rssKb: kill.rssKb,
    })),
  ];
  if (points.length < 2 || process === null) return null;
  const latest = Math.max(...points.map((point) => point.at ?? Number.NEGATIVE_INFINITY));
  const recent = Number.isFinite(latest)
    ? points.filter((point) => point.at === null || latest - point.at <= WINDOW_MS)
    : points;
  const counted = recent.length >= 2 ? recent : points;
  const span = counted === recent && Number.isFinite(latest) ? ' in 24 h' : '';
  const trend = rssTrend(counted.map((point) => point.rssKb));
  const growing = isGrowing(counted.map((point) => point.rssKb));
  const what =
    prior.largestBurst > 0
      ? `${process} killed here ${counted.length} times${span}, a burst of ${prior.largestBurst} workers counted once`
      : `${ordinal(counted.length)} kill of ${process} here${span}`;
  return `${what}${trend ? `; RSS at kill ${trend}${growing ? ' (growing)' : ''}` : ''}`;
}

/** `2.1 -> 2.6 -> 3.0 GiB` when every value shares a unit, else each with its own. */
export function rssTrend(values: readonly (number | null)[]): string | null {
  const known = values.filter((value): value is number => value !== null).slice(-MAX_TREND);
  if (known.length < 2) return null;
  const formatted = known.map(formatKiB);
  const units = new Set(formatted.map((text) => text.split(' ')[1]));
  const body =
    units.size === 1
      ? formatted.map((text, i) => (i < formatted.length - 1 ? text.split(' ')[0] : text))
      : formatted;
  const skipped = values.filter((value) => value !== null).length - known.length;
  return `${skipped > 0 ? '… -> ' : ''}${body.join(' -> ')}`;
}

function isGrowing(values: readonly (number | null)[]): boolean {
  const known = values.filter((value): value is number => value !== null);
  return known.length >= 3 && known.every((value, i) => i === 0 || value > (known[i - 1] ?? 0));
}

function minutes(ms: number): string {
  const min = ms / 60_000;
  return min < 1 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${Math.round(min)} min`;
}

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
