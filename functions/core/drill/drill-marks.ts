import type { Provenance } from '../incident/provenance';

/**
 * How the pipeline keeps a drill apart from the real incidents of the same instance. A drill is filed under keys of
 * its own (instance key, storm window), so it never opens or joins a real incident's cooldown group, never counts
 * in a storm window or in the leak history of a real process, and never lists as a related incident; its items
 * expire after a day rather than after the retention.
 */

/** A drill's items expire after this: long enough to read its incident back, short enough to leave no trace. */
export const DRILL_RETENTION_MS = 24 * 3_600_000;

/** What the workflow input and the incident carry for a drill. */
export interface DrillMark {
  /** The drill id from the report's cgroup path (`drillIdOf`). */
  id: string;
}

/** The instance key a drill is filed under: its own per drill, so no cooldown group is shared with a real kill. */
export function drillInstanceKey(instanceKey: string, drill: DrillMark | null | undefined): string {
  return drill ? `drill:${drill.id}:${instanceKey}` : instanceKey;
}

/** The storm window a drill counts in: one of its own, which holds only the drill. */
export function drillStormWindow(drill: DrillMark): string {
  return `drill:${drill.id}`;
}

/** The provenance of a drill's messages: tagged `[DRILL]`, and the sentence says nothing on the host changed. */
export function drillProvenance(drill: DrillMark): Provenance {
  return {
    kind: 'drill',
    detail: `A drill: a synthetic OOM report written by oom-responder drill ${drill.id}; nothing on the host was changed.`,
  };
}
