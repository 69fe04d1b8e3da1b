import type { ActionResult } from '../../functions/core/analysis/model';
import type { AnalysisStore, IncidentStore, NotificationRecord } from '../../functions/core/detect/ports';
import type { ResponseOutcome } from '../../functions/core/incident/outcome';
import { actionResults } from '../../functions/core/respond/action-results';
import {
  type AnalyzeIncidentConfig,
  type AnalyzeIncidentResult,
  analyzeIncident,
} from '../../functions/core/respond/analyze-incident';
import { diagnosticsOutcome } from '../../functions/core/respond/diagnostics-outcome';
import {
  type NotifyIncidentConfig,
  type NotifyPorts,
  notifyIncident,
  responseOutcome,
} from '../../functions/core/respond/notify-incident';
import type { ActionState, NotifyEvent } from '../../functions/core/workflow/state';
import { snsText } from '../format/replay-summary';
import type { QueuedResponse } from './detect-ports';
import { type CommandRunner, LOCAL_DOCUMENTS, SendCommandError } from './local-ssm';
import { PrintingSlackNotifier } from './notify-ports';
import { type StageName, type StageReporter, timed } from './stages';

/** How the Remediate step of the state machine exists in this replay. */
export type RemediateMode =
  /** The policy enables a remediation: its documents are "deployed", and planned steps run (`--host-exec`). */
  | 'run'
  /** The policy enables none: the state machine has no Remediate state at all. */
  | 'not-deployed'
  /** Enabled, but this replay runs nothing on any host (no `--host-exec`): the plan is reported, not run. */
  | 'not-sent';

export interface ResponseDeps {
  store: IncidentStore;
  runner: CommandRunner;
  analyze: AnalyzeIncidentConfig;
  remediate: RemediateMode;
  /** Without it every remediation runs with `dryRun=true`, whatever was planned. */
  apply: boolean;
  notify: NotifyPorts;
  notifyConfig: NotifyIncidentConfig;
  now: () => Date;
  report: StageReporter;
  /** Where diagnostics come from, for the progress line: `on this host`, `from the captured sample`. */
  diagnosticsFrom: string;
}

export interface ResponseResult {
  outcome: ResponseOutcome | null;
  notification: NotificationRecord | null;
  /** Stages that failed, each with one line saying why. */
  failures: { stage: StageName; detail: string }[];
}

/** A Step Functions state is JSON between steps: round-trip it so the local run cannot rely on more. */
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * One incident's response, the state machine's steps in order with its decisions (lib/workflow/response-workflow.ts):
 * an unknown instance gets nothing sent; diagnostics that could not be sent go to the analysis as its send error;
 * a failed analysis or remediation is recorded as `failure` and notify still runs, with what is known.
 */
export async function runResponse(queued: QueuedResponse, deps: ResponseDeps): Promise<ResponseResult> {
  const failures: ResponseResult['failures'] = [];
  const failed = (stage: StageName, detail: string): void => {
    failures.push({ stage, detail });
  };
  let state: NotifyEvent = json({ ...queued.input });
  state = await timed<NotifyEvent>(deps.report, 'diagnostics', () => diagnosticsStage(state, deps, failed));
  state = await timed<NotifyEvent>(deps.report, 'analyze', () => analyzeStage(state, deps, failed));
  state = await timed<NotifyEvent>(deps.report, 'remediate', () => remediateStage(state, deps, failed));
  const notified = await timed(deps.report, 'notify', () => notifyStage(state, queued, deps, failed));
  return { ...notified, failures };
}

type Failed = (stage: StageName, detail: string) => void;
type StageEnd<T> = { value: T; text: string; failed?: boolean };

async function diagnosticsStage(
  state: NotifyEvent,
  deps: ResponseDeps,
  failed: Failed,
): Promise<StageEnd<NotifyEvent>> {
  const next = await diagnosticsStep(state, deps);
  // What the analysis will make of it, said now: the same function reads it there.
  const outcome = diagnosticsOutcome(next, null);
  if (outcome.status === 'collected') return { value: next, text: collectedText(next, deps) };
  const unresolved = next.diagnostics !== undefined && 'unresolved' in next.diagnostics;
  const text = `${outcome.status}: ${outcome.detail ?? 'no detail'}`;
  if (!unresolved) failed('diagnostics', text);
  return { value: next, text, failed: !unresolved };
}

async function analyzeStage(
  state: NotifyEvent,
  deps: ResponseDeps,
  failed: Failed,
): Promise<StageEnd<NotifyEvent>> {
  try {
    const now = deps.now();
    const stored = await deps.store.getIncident(state.incidentId);
    const observedMs = stored ? Date.parse(stored.observedAt) : Number.NaN;
    const store = historyAt(deps.store, Number.isNaN(observedMs) ? 0 : now.getTime() - observedMs);
    // The clock stays real: the hourly remediation limits count what really runs on this host now.
    const result = json(await analyzeIncident(json(state), store, deps.analyze, now));
    return { value: { ...state, analysis: result }, text: analysisText(result) };
  } catch (error) {
    // The state machine's AnalysisFailed: remember the stage and why, then notify.
    const { name, message } = error as Error;
    failed('analyze', `${name}: ${message}`);
    return {
      value: { ...state, failure: { stage: 'analyze', error: name, cause: message } },
      text: `${name}: ${message}`,
      failed: true,
    };
  }
}

async function remediateStage(
  state: NotifyEvent,
  deps: ResponseDeps,
  failed: Failed,
): Promise<StageEnd<NotifyEvent>> {
  const steps = (state.analysis as AnalyzeIncidentResult | undefined)?.steps ?? [];
  if (state.failure) return { value: state, text: 'not run: the analysis failed' };
  if (deps.remediate === 'not-deployed') {
    return {
      value: state,
      text: 'nothing to run: the policy enables no remediation (diagnose and notify only)',
    };
  }
  if (steps.length === 0) return { value: state, text: `nothing planned${skippedText(state)}` };
  if (deps.remediate === 'not-sent') {
    const planned = steps.map((step) => step.action).join(', ');
    return {
      value: state,
      text: `not run: without --host-exec nothing runs on any host (planned: ${planned})`,
    };
  }
  // The Remediate map: one step at a time, each result (or send error) kept for the notifier.
  const actions: ActionState[] = [];
  for (const step of steps) {
    // The replay's own guard: the policy was made a dry run already, and the document is told so again.
    const parameters = deps.apply ? step.parameters : { ...step.parameters, dryRun: ['true'] };
    actions.push(json(await sendStep(step, parameters, deps.runner)));
  }
  const results = actionResults(actions);
  const bad = results.filter((result) => result.status === 'failed');
  for (const result of bad) failed('remediate', `${result.action}: ${result.summary}`);
  return { value: { ...state, actions }, text: results.map(actionText).join('; '), failed: bad.length > 0 };
}

async function notifyStage(
  state: NotifyEvent,
  queued: QueuedResponse,
  deps: ResponseDeps,
  failed: Failed,
): Promise<StageEnd<Omit<ResponseResult, 'failures'>>> {
  try {
    const event = json({ state, executionArn: queued.executionArn });
    const record = await notifyIncident(event, deps.notify, deps.notifyConfig);
    const incident = await deps.store.getIncident(state.incidentId);
    const outcome = incident
      ? responseOutcome(state, incident, queued.executionArn, deps.notifyConfig)
      : null;
    const slackFailed = record.slack.status === 'failed';
    if (slackFailed)
      failed('notify', `Slack did not take the message: ${record.slack.detail ?? 'no detail'}`);
    const printed = deps.notify.slack instanceof PrintingSlackNotifier;
    return {
      value: { outcome, notification: record },
      text: notifyText(record, printed),
      failed: slackFailed,
    };
  } catch (error) {
    const text = `${(error as Error).name}: ${(error as Error).message}`;
    failed('notify', text);
    return { value: { outcome: null, notification: null }, text, failed: true };
  }
}

async function diagnosticsStep(state: NotifyEvent, deps: ResponseDeps): Promise<NotifyEvent> {
  if (state.instanceId === null) return { ...state, diagnostics: { unresolved: true } };
  try {
    const record = await deps.runner.run(LOCAL_DOCUMENTS.collectDiagnostics, {
      killTime: [state.killTime],
      unit: [state.unit],
      pid: [state.pid],
      memcgPath: [state.memcgPath],
      processHex: [state.processHex],
      kernelTime: [state.kernelTime],
      killer: [state.killer],
    });
    return { ...state, diagnostics: json(record) };
  } catch (error) {
    return { ...state, diagnosticsSendError: sendErrorOf(error) };
  }
}

async function sendStep(
  step: ActionState['step'],
  parameters: Record<string, string[]>,
  runner: CommandRunner,
): Promise<ActionState> {
  try {
    return { step, command: await runner.run(step.documentName, parameters) };
  } catch (error) {
    return { step, sendError: sendErrorOf(error) };
  }
}

/** A send failure as Step Functions' catcher records it: `{Error, Cause}`. */
function sendErrorOf(error: unknown): { Error: string; Cause: string } {
  if (error instanceof SendCommandError) return { Error: error.errorName, Cause: error.message };
  return { Error: (error as Error).name ?? 'Error', Cause: (error as Error).message ?? String(error) };
}

/**
 * The history window as it stood when the incident was observed: the analysis counts back from its clock (now),
 * but a replayed log may be older than the window, so the window is moved back by the log's age. (The analysis
 * itself leaves out kills after the incident, which a replay of a whole log has recorded already.)
 */
export function historyAt(store: AnalysisStore, ageMs: number): AnalysisStore {
  return {
    getIncident: (id) => store.getIncident(id),
    history: (instanceKey, process, sinceMs) =>
      store.history(instanceKey, process, sinceMs - Math.max(0, ageMs)),
    recentActions: (instanceKey, sinceMs) => store.recentActions(instanceKey, sinceMs),
    recordAction: (instanceKey, action, expiresAt) => store.recordAction(instanceKey, action, expiresAt),
  };
}

function collectedText(state: NotifyEvent, deps: ResponseDeps): string {
  const diagnostics = state.diagnostics as {
    invocation?: { ResponseCode?: number; StandardOutputContent?: string };
  };
  const size = diagnostics.invocation?.StandardOutputContent?.length ?? 0;
  return `collected ${deps.diagnosticsFrom} (exit ${diagnostics.invocation?.ResponseCode ?? 0}, ${size} characters of output)`;
}

function analysisText(result: AnalyzeIncidentResult): string {
  const cause = result.analysis.likelyCause;
  const what = cause
    ? `likely cause ${cause.family} (${Math.round(cause.confidence * 100)}%)`
    : `no likely cause (${result.analysis.findings.length} findings)`;
  const plan = result.steps.map((step) => `${step.action}${step.dryRun ? ' (dry run)' : ''}`);
  return `${what}; plan: ${plan.length > 0 ? plan.join(', ') : 'nothing'}`;
}

function skippedText(state: NotifyEvent): string {
  const skipped = (state.analysis as AnalyzeIncidentResult | undefined)?.analysis.plan.skipped ?? [];
  return skipped.length > 0 ? ` (${skipped.map((s) => `${s.action}: ${s.reason}`).join('; ')})` : '';
}

function actionText(result: ActionResult): string {
  const exit = result.exitCode === null ? '' : `, exit ${result.exitCode}`;
  return `${result.action}: ${result.status}${exit}: ${result.summary}`;
}

function notifyText(record: NotificationRecord, printed: boolean): string {
  const status =
    printed && record.slack.status === 'sent' ? 'message printed (no --slack-webhook)' : record.slack.status;
  const slack =
    record.slack.status === 'failed'
      ? `Slack FAILED: ${record.slack.detail ?? 'no detail'}`
      : `Slack ${status}${record.slack.detail ? ` (${record.slack.detail})` : ''}`;
  return `${slack}; ${snsText(record.sns.status)}`;
}
