import type { ActionResult, Analysis } from '../analysis/model';
import type { DiagnosticsSummary } from '../diagnostics/model';
import type { MemoryTimelineOutcome } from '../metrics/memory-window';
import type { Incident, RelatedIncident } from './model';
import type { Provenance } from './provenance';

/**
 * Everything the notifier knows at the end of a response, whichever path the workflow took: the incident, the
 * diagnostics (or why there are none), the analysis, what was done, and where to look next.
 */
export type DiagnosticsStatus =
  | 'collected'
  | 'unmanaged'
  | 'agent-offline'
  | 'failed'
  | 'timed-out'
  | 'skipped';

export interface DiagnosticsOutcome {
  status: DiagnosticsStatus;
  summary: DiagnosticsSummary | null;
  /** One line when the status is not `collected`: what went wrong, from SSM's words. */
  detail: string | null;
  commandId: string | null;
  /** `s3://bucket/key` of the full output, when SSM wrote it. */
  outputS3Uri: string | null;
}

export interface ResponseContext {
  partition: string;
  region: string;
  accountId: string | null;
  executionArn: string | null;
}

export interface ResponseOutcome {
  incident: Incident;
  diagnostics: DiagnosticsOutcome;
  analysis: Analysis | null;
  actions: ActionResult[];
  /** Set when a stage of the workflow failed: notify still runs, with what is known. */
  failure: { stage: string; error: string } | null;
  context: ResponseContext;
  /**
   * Set only when the message was not built from a live kill (a CLI replay of a captured sample, a demo): every
   * renderer then labels its header and says what the message was built from. Absent for the deployed pipeline.
   */
  provenance?: Provenance;
  /** Earlier incidents of the same instance within a day, newest first (the message links them). @default none */
  related?: RelatedIncident[];
  /** The instance's memory over the hour before the kill, as the analysis read it. @default none (not read) */
  memoryTimeline?: MemoryTimelineOutcome;
}
