import type { DiagnosticsSummary } from '../diagnostics/model';
import type { Incident } from '../incident/model';
import type { MemoryTimeline } from '../metrics/memory-timeline';
import type { Policy } from '../policy/policy';
import type { ActionName } from './model';

/** A remediation already sent to an instance: what the per-instance, per-hour limits count. */
export interface RecentAction {
  action: ActionName;
  instanceId: string;
  /** ISO 8601; a time without an offset is read as UTC. */
  at: string;
}

/** Everything the analysis reads. It reads no clock and no environment: `now` is part of the input. */
export interface AnalyzeInput {
  incident: Incident;
  /** Null when the workflow could not collect them (unmanaged instance, agent offline, timeout). */
  diagnostics: DiagnosticsSummary | null;
  policy: Policy;
  /** Remediations already done on this instance (older ones are ignored). */
  recentActions: RecentAction[];
  /** ISO 8601 time of the analysis. */
  now: string;
  /**
   * The CloudWatch agent's hour before the kill, when it was read (with `earlyWarning`): evidence for how a host
   * ran out of memory. @default null
   */
  memoryTimeline?: MemoryTimeline | null;
}
