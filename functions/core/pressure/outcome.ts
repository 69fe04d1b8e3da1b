import type { ActionResult } from '../analysis/model';
import type { DiagnosticsOutcome, ResponseContext } from '../incident/outcome';
import type { Provenance } from '../incident/provenance';
import type { PressureWorkflowInput } from '../workflow/pressure-state';
import type { PressureAnalysis } from './model';

/**
 * Everything the notifier knows at the end of a memory-pressure response, whichever path the workflow took: the
 * warning, the diagnostics (or why there are none), the analysis (null when the analyze step failed), the
 * preventive swap's result, and where to look.
 */
export interface PressureOutcome {
  warning: PressureWorkflowInput;
  diagnostics: DiagnosticsOutcome;
  analysis: PressureAnalysis | null;
  actions: ActionResult[];
  failure: { stage: string; error: string } | null;
  context: ResponseContext;
  /** Set only for a message not built from a live warning (a local replay): every renderer labels it. */
  provenance?: Provenance;
}
