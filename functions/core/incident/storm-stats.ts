/** What the store counts per storm window, so the notifier can roll a fleet-wide storm up into one message. */
export interface StormWindowStats {
  /** ISO start of the window. */
  window: string;
  /** Incidents opened in the window. */
  incidents: number;
  /** Incidents per killed process name. */
  byProcess: Record<string, number>;
  /** Incidents per instance (instance id, or `host:<name>` when unresolved). */
  byInstance: Record<string, number>;
  /** The window's incident ids in the order they opened. */
  incidentIds: string[];
}

/**
 * The ISO start of the storm window `ms` falls in. The detector files an incident under it and the notifier looks
 * the incident up by it: one function, so the two can never disagree on a boundary.
 */
export function stormWindowOf(ms: number, windowMs: number): string {
  return new Date(Math.floor(ms / windowMs) * windowMs).toISOString();
}
