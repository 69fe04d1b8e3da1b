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
