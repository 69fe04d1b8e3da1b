import { analyze } from '../analysis/analyze';
import type { Analysis, RemediationStep } from '../analysis/model';
import type { AnalysisStore } from '../detect/ports';
import { parseTime } from '../format/time';
import { type Incident, incidentKeyOf } from '../incident/model';
import type { DiagnosticsOutcome } from '../incident/outcome';
import type { MemoryMetricsReader } from '../metrics/memory-series';
import { describeMemoryTimeline } from '../metrics/memory-timeline';
import type { MemoryTimelineOutcome } from '../metrics/memory-window';
import type { Policy } from '../policy/policy';
import { validateAddSwapParameters, validateRestartServiceParameters } from '../ssm/parameters';
import { type AnalyzeEvent, AnalyzeEventSchema, type PlannedStep } from '../workflow/state';
import { diagnosticsOutcome } from './diagnostics-outcome';
import { type MemoryTimelineConfig, readMemoryTimeline } from './memory-timeline-read';

export interface AnalyzeIncidentConfig {
  policy: Policy;
  /** Document names of the remediations the deployment has (absent: that remediation cannot run). */
  documents: { addSwap?: string; restartService?: string };
  outputBucket: string | null;
  /** @default 7 days */
  historyMs?: number;
  /** How long recorded remediations are kept. @default 30 days */
  retentionMs?: number;
  /**
   * Read the instance's memory metrics for the hour before the kill (the deployment publishes them).
   * @default none: no timeline is read (`earlyWarning: false`, the CLI's local replay)
   */
  memoryTimeline?: MemoryTimelineConfig;
}

/** What the analysis reads besides the incident store. */
export interface AnalyzeIncidentPorts {
  /** The CloudWatch agent's memory metrics. @default none: no timeline is read */
  memoryMetrics?: MemoryMetricsReader;
}

export interface AnalyzeIncidentResult {
  diagnostics: DiagnosticsOutcome;
  analysis: Analysis;
  /** The plan's steps, ready for SendCommand: validated parameters as string lists, and their document. */
  steps: PlannedStep[];
  /** The instance's memory over the hour before the kill, or why there is none. */
  memoryTimeline: MemoryTimelineOutcome;
}

export class IncidentNotFoundError extends Error {
  constructor(readonly incidentId: string) {
    super(`incident ${incidentId} is not in the incident store`);
    this.name = 'IncidentNotFoundError';
  }
}

/**
 * The analyze step: what the diagnostics said (or why there are none), the history of this process on this
 * instance, and the remediations already sent this hour go into `analyze`; the plan comes out ready to send,
 * each step re-validated with the documents' own patterns, and recorded before it runs so limits hold.
 */
export async function analyzeIncident(
  event: unknown,
  store: AnalysisStore,
  config: AnalyzeIncidentConfig,
  now: Date,
  ports: AnalyzeIncidentPorts = {},
): Promise<AnalyzeIncidentResult> {
  const state: AnalyzeEvent = AnalyzeEventSchema.parse(event);
  const found = await store.getIncident(state.incidentId);
  if (!found) throw new IncidentNotFoundError(state.incidentId);
  // Either mark makes it a drill: the detector writes both, and a drill is never treated as less than one.
  const drill = found.drill ?? state.drill;
  const stored: Incident = drill ? { ...found, drill } : found;
  const instanceKey = incidentKeyOf(stored);
  const incident = await withHistory(
    stored,
    instanceKey,
    store,
    now.getTime() - (config.historyMs ?? 7 * 86_400_000),
  );
  const diagnostics = diagnosticsOutcome(state, config.outputBucket);
  // Read while the rest is worked out: bounded by its budget, and it never fails the analysis.
  const timeline = readMemoryTimeline({
    reader: ports.memoryMetrics,
    config: config.memoryTimeline,
    instanceId: stored.instance.instanceId,
    // When CloudWatch received the kill is UTC for sure; the kernel line's own time may be the host's clock.
    killAt: timeOf(stored.observedAt) ?? timeOf(state.killTime),
    drill: Boolean(drill),
    now,
  });
  const sent = stored.instance.instanceId
    ? await store.recentActions(instanceKey, now.getTime() - 3_600_000)
    : [];
  // What an earlier try of this same step recorded (the workflow retries it) is not another remediation: counting
  // it would refuse this incident's own step as over the limit.
  const ours = (action: string): boolean =>
    sent.some((a) => a.incidentId === stored.id && a.action === action);
  const recent = sent
    .filter((a) => a.incidentId !== stored.id)
    .map((a) => ({ action: a.action, instanceId: stored.instance.instanceId ?? '', at: a.at }));
  // The findings read the hour before too: waited for here rather than after the analysis, which takes
  // milliseconds, so the step takes no longer than before.
  const memoryTimeline = await timeline;
  const analysis = analyze({
    incident,
    diagnostics: diagnostics.summary,
    policy: config.policy,
    recentActions: recent,
    now: now.toISOString(),
    memoryTimeline: memoryTimeline.status === 'read' ? describeMemoryTimeline(memoryTimeline.window) : null,
  });
  const steps: PlannedStep[] = [];
  for (const step of analysis.plan.steps) {
    const planned = toPlannedStep(step, config, Boolean(drill));
    if ('skip' in planned) {
      analysis.plan.skipped.push({ action: step.action, reason: planned.skip });
      continue;
    }
    steps.push(planned);
    if (!planned.dryRun && !ours(step.action)) {
      const expiresAt = Math.floor((now.getTime() + (config.retentionMs ?? 30 * 86_400_000)) / 1000);
      await store.recordAction(
        instanceKey,
        { action: step.action, incidentId: stored.id, at: now.toISOString() },
        expiresAt,
      );
    }
  }
  analysis.plan.steps = analysis.plan.steps.filter((step) => steps.some((s) => s.action === step.action));
  return { diagnostics, analysis, steps, memoryTimeline };
}

function timeOf(iso: string): Date | null {
  const ms = parseTime(iso);
  return ms === null ? null : new Date(ms);
}

/** The kills of this process on this instance before this incident (the leak signal). */
async function withHistory(
  incident: Incident,
  instanceKey: string,
  store: AnalysisStore,
  sinceMs: number,
): Promise<Incident> {
  const process = incident.firstKill.process;
  if (!process) return incident;
  // Only kills before this one: an analysis that runs late (a retry, a replay of a whole log) must not read the
  // kills of later incidents as earlier ones.
  const openedMs = Date.parse(incident.observedAt);
  const history = (await store.history(instanceKey, process, sinceMs)).filter(
    (kill) => kill.incidentId !== incident.id && !(Date.parse(kill.time) > openedMs),
  );
  return { ...incident, history };
}

function toPlannedStep(
  step: RemediationStep,
  config: AnalyzeIncidentConfig,
  drill: boolean,
): PlannedStep | { skip: string } {
  const documentName =
    step.action === 'add-swap' ? config.documents.addSwap : config.documents.restartService;
  if (!documentName)
    return { skip: `the ${step.action} document is not deployed (enable it in the remediation policy)` };
  // Every step says whether it is a drill's, so the document refuses one even if a plan ever lets it through.
  const parameters = { ...step.parameters, drill: drill ? 'true' : 'false' };
  const validation =
    step.action === 'add-swap'
      ? validateAddSwapParameters(parameters)
      : validateRestartServiceParameters(parameters);
  if (!validation.ok) return { skip: `refused before sending: ${validation.error.message}` };
  return {
    action: step.action,
    documentName,
    parameters: validation.parameters,
    dryRun: step.dryRun,
    reason: step.reason,
  };
}
