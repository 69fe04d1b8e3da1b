import type { Incident } from '../incident/model';
import type { StormWindowStats } from '../incident/storm-stats';
import { namedIndividually } from '../render/storm';
import type { DeliveryStore, StormRollupRecord } from './notify-ports';

/** A rollup lists at most this many incidents: each with its link, they fit one Slack message's text budget. */
export const ROLLUP_LISTS_AT_MOST = 20;
/** What the notify Lambda waits between a window's rollups when fewer than a full list are waiting (its config). */
export const ROLLUP_FOLLOW_UP_MS = 60_000;

/**
 * What this incident's notify step sends:
 * - `incident`: its own message (one of the first `threshold` of its window, or critical);
 * - `rollup`: the storm rollup it owns, which lists it and the incidents `rollup.covers`;
 * - `covered`: nothing: another incident's rollup lists it;
 * - `deferred`: nothing yet: the next follow-up rollup is not due; the step is retried and then sends it (or
 *   finds that another incident's follow-up listed it).
 */
export type MessagePlan =
  | { kind: 'incident'; position: number }
  | { kind: 'rollup'; position: number; rollup: StormRollupRecord; loaded: Map<string, Incident> }
  | { kind: 'covered'; position: number; rollup: StormRollupRecord }
  | { kind: 'deferred'; position: number; reason: string };

export interface PlanInput {
  store: DeliveryStore;
  incident: Incident;
  window: StormWindowStats;
  threshold: number;
  /** How long a follow-up with fewer than a full list waits after the previous rollup; 0: it never waits. */
  followUpMs: number;
  nowMs: number;
}

/**
 * Decide, so that every incident of a storm window appears in exactly one message: the first `threshold` and the
 * critical ones in their own, each of the others in the one rollup that claimed it (claims are conditional on the
 * window's rollup count, so two rollups never list the same incident). A rollup goes out at once when it opens
 * the storm or has a full list; a shorter follow-up waits `followUpMs` after the previous one, so a storm
 * makes a message a minute at most, not one per incident.
 */
export async function planMessage(input: PlanInput): Promise<MessagePlan> {
  const { incident, window, threshold } = input;
  const found = window.incidentIds.indexOf(incident.id) + 1;
  const position = found || window.incidents;
  const sent = Object.values(incident.deliveries ?? {});
  // A message once begun is finished as it began, whatever the window looks like now.
  if (sent.some((delivery) => delivery.message === 'incident')) return { kind: 'incident', position };
  const stormy = Number.isFinite(threshold) && position > threshold;
  if (!stormy && !sent.some((delivery) => delivery.message === 'rollup'))
    return { kind: 'incident', position };
  for (let round = 0; round < 3; round++) {
    const rollups = await input.store.stormRollups(window.window);
    const covering = rollups.find((rollup) => rollup.covers.includes(incident.id));
    if (covering)
      return covering.owner === incident.id
        ? { kind: 'rollup', position, rollup: covering, loaded: new Map([[incident.id, incident]]) }
        : { kind: 'covered', position, rollup: covering };
    if (namedIndividually(incident)) return { kind: 'incident', position };
    const covered = new Set(rollups.flatMap((rollup) => rollup.covers));
    const uncovered = window.incidentIds.slice(Math.floor(threshold)).filter((id) => !covered.has(id));
    const last = rollups.at(-1);
    const dueAt = last ? last.atMs + input.followUpMs : 0;
    if (last && uncovered.length < ROLLUP_LISTS_AT_MOST && input.nowMs < dueAt) {
      return {
        kind: 'deferred',
        position,
        reason: `storm: the next follow-up rollup is due at ${new Date(dueAt).toISOString()}`,
      };
    }
    const loaded = await candidates(input, uncovered);
    const covers = window.incidentIds.filter((id) => loaded.has(id));
    const rollup: StormRollupRecord = {
      seq: rollups.length + 1,
      owner: incident.id,
      covers,
      atMs: input.nowMs,
    };
    if (await input.store.claimRollup(window.window, rollup))
      return { kind: 'rollup', position, rollup, loaded };
  }
  return { kind: 'deferred', position, reason: 'storm: other incidents kept claiming the next rollup first' };
}

/** This incident and the next uncovered ones that are not critical (those send their own), up to a full list. */
async function candidates(input: PlanInput, uncovered: readonly string[]): Promise<Map<string, Incident>> {
  const loaded = new Map<string, Incident>([[input.incident.id, input.incident]]);
  for (const id of uncovered) {
    if (loaded.size >= ROLLUP_LISTS_AT_MOST) break;
    if (id === input.incident.id) continue;
    const other = await input.store.getIncident(id);
    // One whose own step has begun its own message is told by that, not here.
    const ownMessage = Object.values(other?.deliveries ?? {}).some((d) => d.message === 'incident');
    if (other && !other.notification && !namedIndividually(other) && !ownMessage) loaded.set(id, other);
  }
  return loaded;
}
