import type { RemediationStep } from '../analysis/model';
import type { AnalysisStore } from '../detect/ports';
import type { DiagnosticsOutcome } from '../incident/outcome';
import { MEMORY_METRIC_NAMES, type MemoryMetricsReader, type MemorySeries } from '../metrics/memory-series';
import { analyzePressure } from '../pressure/analyze-pressure';
import type { PressureAnalysis } from '../pressure/model';
import { validateAddSwapParameters } from '../ssm/parameters';
import { type PressureAnalyzeEvent, PressureAnalyzeEventSchema } from '../workflow/pressure-state';
import type { PlannedStep } from '../workflow/state';
import type { AnalyzeIncidentConfig } from './analyze-incident';
import { diagnosticsOutcome } from './diagnostics-outcome';

/** The hour before the warning: the span the message's figures and the projection's fit come from. */
export const PRESSURE_LOOKBACK_MS = 3_600_000;
/** GetMetricData answers in well under a second; a reader that hangs must not eat the step's time. */
export const METRICS_TIMEOUT_MS = 10_000;

export interface AnalyzePressurePorts {
  store: Pick<AnalysisStore, 'recentActions' | 'recordAction'>;
  /** Null where no metrics can be read (the CLI's replay without a series file). */
  metrics: MemoryMetricsReader | null;
}

/** What the analyze step returns for a warning: the same three parts as for a kill, so the workflow reads both alike. */
export interface AnalyzePressureResult {
  diagnostics: DiagnosticsOutcome;
  analysis: PressureAnalysis;
  steps: PlannedStep[];
}

/**
 * The analyze step of the pressure workflow: the diagnostics outcome, the last hour of the instance's memory
 * metrics, and the remediations sent to it this hour go into `analyzePressure`; a preventive add-swap comes out
 * ready to send, validated with the document's own patterns, and recorded before it runs so the hourly limit holds
 * for the kill that may follow.
 */
export async function analyzePressureWarning(
  event: unknown,
  ports: AnalyzePressurePorts,
  config: AnalyzeIncidentConfig,
  now: Date,
): Promise<AnalyzePressureResult> {
  const state: PressureAnalyzeEvent = PressureAnalyzeEventSchema.parse(event);
  const diagnostics = diagnosticsOutcome(state, config.outputBucket);
  const series = await readSeries(ports.metrics, state, now);
  const instanceKey = state.instanceId;
  const sent = await ports.store.recentActions(instanceKey, now.getTime() - 3_600_000);
  // This warning's own earlier try (the step is retried) is not another remediation.
  const ours = sent.some((a) => a.incidentId === state.incidentId && a.action === 'add-swap');
  const analysis = analyzePressure({
    event: state,
    diagnostics: diagnostics.summary,
    series,
    policy: config.policy,
    recentActions: sent
      .filter((a) => a.incidentId !== state.incidentId)
      .map((a) => ({ action: a.action, instanceId: instanceKey, at: a.at })),
    now: now.toISOString(),
  });
  const steps: PlannedStep[] = [];
  for (const step of analysis.plan.steps) {
    const planned = toPlannedStep(step, config.documents.addSwap);
    if ('skip' in planned) {
      analysis.plan.skipped.push({ action: step.action, reason: planned.skip });
      continue;
    }
    steps.push(planned);
    if (!planned.dryRun && !ours) {
      const expiresAt = Math.floor((now.getTime() + (config.retentionMs ?? 30 * 86_400_000)) / 1000);
      await ports.store.recordAction(
        instanceKey,
        { action: step.action, incidentId: state.incidentId, at: now.toISOString() },
        expiresAt,
      );
    }
  }
  analysis.plan.steps = analysis.plan.steps.filter((step) => steps.some((s) => s.action === step.action));
  return { diagnostics, analysis, steps };
}

/**
 * A preventive swap ready for SendCommand: its document, and its parameters re-validated with the document's own
 * patterns (a warning is never a drill's). Skipped, with why, when the document is not deployed or refuses them.
 */
function toPlannedStep(
  step: RemediationStep,
  documentName: string | undefined,
): PlannedStep | { skip: string } {
  if (!documentName)
    return { skip: `the ${step.action} document is not deployed (enable it in the remediation policy)` };
  const validation = validateAddSwapParameters({ ...step.parameters, drill: 'false' });
  if (!validation.ok) return { skip: `refused before sending: ${validation.error.message}` };
  return {
    action: step.action,
    documentName,
    parameters: validation.parameters,
    dryRun: step.dryRun,
    reason: step.reason,
  };
}

/** The hour before the warning; a failed read is said in the message, never a failed step. */
async function readSeries(
  reader: MemoryMetricsReader | null,
  state: PressureAnalyzeEvent,
  now: Date,
): Promise<MemorySeries[] | { failed: string } | null> {
  if (!reader) return null;
  const warnedMs = Date.parse(state.warnedAt);
  // Up to the minute after the warning: the point that crossed the threshold is the last one fitted.
  const to = new Date((Number.isFinite(warnedMs) ? warnedMs : now.getTime()) + 60_000);
  try {
    return await reader.read(
      {
        instanceId: state.instanceId,
        metrics: MEMORY_METRIC_NAMES,
        from: new Date(to.getTime() - PRESSURE_LOOKBACK_MS),
        to,
      },
      { signal: AbortSignal.timeout(METRICS_TIMEOUT_MS) },
    );
  } catch (error) {
    const { name, message } = error as Error;
    return { failed: `GetMetricData failed: ${name}: ${String(message).slice(0, 200)}` };
  }
}
