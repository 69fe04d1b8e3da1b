import { MemoryIncidentStore } from '../../functions/adapters/memory/incident-store';
import { MemoryWarningStore } from '../../functions/adapters/memory/warning-store';
import type { Provenance } from '../../functions/core/incident/provenance';
import type { MemoryMetricsReader } from '../../functions/core/metrics/memory-series';
import type { Policy } from '../../functions/core/policy/policy';
import { instancePressure } from '../../functions/core/pressure/contributor-event';
import { pressureIncidentOf, pressureWorkflowInput } from '../../functions/core/pressure/pressure-incident';
import { actionResults } from '../../functions/core/respond/action-results';
import {
  type AnalyzePressureResult,
  analyzePressureWarning,
} from '../../functions/core/respond/analyze-pressure';
import type { SlackNotifier } from '../../functions/core/respond/notify-ports';
import { notifyPressure } from '../../functions/core/respond/notify-pressure';
import type { PressureNotifyEvent } from '../../functions/core/workflow/pressure-state';
import type { ActionState, PlannedStep } from '../../functions/core/workflow/state';
import { type CommandRunner, LOCAL_DOCUMENTS, SendCommandError } from './local-ssm';
import { KeptSnsPublisher, PrintingSlackNotifier, replayNotifyTelemetry, warningsTo } from './notify-ports';
import { type StageLine, timed } from './stages';

/** The state machine a replay's warning is named under (its executions are never started). */
const LOCAL_STATE_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:local-replay-pressure';

export interface PressureReplayDeps {
  runner: CommandRunner;
  /** Where diagnostics ran, in the stage line: `on this host`, `from the captured sample`. */
  diagnosticsFrom: string;
  /** Null: no series file (the message says there is no projection). */
  metrics: MemoryMetricsReader | null;
  policy: Policy;
  /** Remediation runs on this host (`--host-exec`); without `apply`, with `dryRun=true` whatever was planned. */
  hostExec: boolean;
  apply: boolean;
  slack: SlackNotifier;
  /** Used when the contributor names no `InstanceId` (AWS's documented sample is grouped by `TableName`). */
  instanceId: string | null;
  /** What the message is built from, when not this host's own diagnostics (a sample). */
  provenance: Provenance | null;
  now: () => Date;
  progress: (line: StageLine) => void;
  warn: (text: string) => void;
}

export interface PressureReplayResult {
  /** The state the notifier got, and the (local) execution it was named under. */
  state: PressureNotifyEvent;
  executionArn: string;
  failures: { stage: string; detail: string }[];
}

/**
 * A memory-pressure warning replayed in this process, through the same use cases as the pressure function and
 * state machine: the warning's incident and workflow input from the event, read-only diagnostics (`mode=pressure`),
 * the analysis, a preventive swap when one is planned (on this host only with `--host-exec`), and the message.
 */
export async function runPressureReplay(
  event: unknown,
  deps: PressureReplayDeps,
): Promise<PressureReplayResult> {
  const failures: PressureReplayResult['failures'] = [];
  const report = (line: Omit<StageLine, 'incident'>) => deps.progress({ ...line, incident: null });
  const warning = instancePressure(withInstance(event, deps.instanceId));
  if (warning.mute !== null)
    deps.warn(
      `an alarm mute rule mutes this warning (${warning.mute.ruleArn ?? 'no rule named'}, until ${warning.mute.until ?? 'an unread time'}): the pressure function would answer nothing; replayed anyway`,
    );
  const input = pressureWorkflowInput(pressureIncidentOf(warning, LOCAL_STATE_MACHINE, deps.now()));
  const executionArn = `${LOCAL_STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${input.incidentId}`;

  let state: PressureNotifyEvent = await timed<PressureNotifyEvent>(report, 'diagnostics', async () => {
    try {
      const record = await deps.runner.run(LOCAL_DOCUMENTS.collectDiagnostics, { mode: ['pressure'] });
      const ok = record.invocation.Status === 'Success';
      if (!ok)
        failures.push({ stage: 'diagnostics', detail: `the script ended ${record.invocation.Status}` });
      return {
        value: { ...input, diagnostics: record },
        text: `${record.invocation.Status} ${deps.diagnosticsFrom} (mode=pressure)`,
        failed: !ok,
      };
    } catch (error) {
      const sendError = sendErrorOf(error);
      failures.push({ stage: 'diagnostics', detail: `${sendError.Error}: ${sendError.Cause}` });
      return { value: { ...input, diagnosticsSendError: sendError }, text: sendError.Cause, failed: true };
    }
  });

  const store = new MemoryIncidentStore();
  state = await timed<PressureNotifyEvent>(report, 'analyze', async () => {
    try {
      const config = {
        policy: deps.policy,
        documents: { addSwap: LOCAL_DOCUMENTS.addSwap },
        outputBucket: null,
      };
      const result = await analyzePressureWarning(
        state,
        { store, metrics: deps.metrics },
        config,
        deps.now(),
      );
      return { value: { ...state, analysis: json(result) }, text: analysisText(result) };
    } catch (error) {
      const { name, message } = error as Error;
      failures.push({ stage: 'analyze', detail: `${name}: ${message}` });
      return {
        value: { ...state, failure: { stage: 'analyze', error: name, cause: message } },
        text: message,
        failed: true,
      };
    }
  });

  state = await timed<PressureNotifyEvent>(report, 'remediate', async () => {
    const steps = (state.analysis as AnalyzePressureResult | undefined)?.steps ?? [];
    if (steps.length === 0) return { value: state, text: 'nothing planned (no preventive swap)' };
    if (!deps.hostExec)
      return {
        value: state,
        text: 'not run: without --host-exec nothing runs on any host (planned: add-swap)',
      };
    const actions: ActionState[] = [];
    for (const step of steps) actions.push(json(await sendStep(step, deps)));
    const results = actionResults(actions);
    const bad = results.filter((r) => r.status === 'failed');
    for (const r of bad) failures.push({ stage: 'remediate', detail: `${r.action}: ${r.summary}` });
    return {
      value: { ...state, actions },
      text: results.map((r) => `${r.action}: ${r.status}`).join('; '),
      failed: bad.length > 0,
    };
  });

  if (deps.provenance) state = { ...state, provenance: deps.provenance };
  await timed(report, 'notify', async () => {
    const warnings = new MemoryWarningStore();
    warnings.open(input.incidentId);
    const config = {
      stormThreshold: 0,
      stormWindowMs: 0,
      qDeveloperFormat: false,
      outputBucket: null,
      partition: 'aws',
      region: 'us-east-1',
    };
    try {
      const record = await notifyPressure(
        json({ state, executionArn }),
        {
          store: warnings,
          slack: deps.slack,
          sns: new KeptSnsPublisher(),
          telemetry: replayNotifyTelemetry(warningsTo(deps.warn)),
          now: deps.now,
        },
        config,
      );
      const failed = record.slack.status === 'failed';
      if (failed)
        failures.push({
          stage: 'notify',
          detail: `Slack did not take the message: ${record.slack.detail ?? ''}`,
        });
      const slack =
        deps.slack instanceof PrintingSlackNotifier && record.slack.status === 'sent'
          ? 'printed'
          : record.slack.status;
      return { value: record, text: `Slack ${slack}; SNS kept locally, not published`, failed };
    } catch (error) {
      const text = `${(error as Error).name}: ${(error as Error).message}`;
      failures.push({ stage: 'notify', detail: text });
      return { value: null, text, failed: true };
    }
  });
  return { state, executionArn, failures };
}

/** The documented sample names a table, not an instance: `--instance` names the one the replay is about. */
function withInstance(event: unknown, instanceId: string | null): unknown {
  if (instanceId === null || typeof event !== 'object' || event === null) return event;
  const detail = (event as { detail?: { alarmContributor?: { attributes?: Record<string, string> } } })
    .detail;
  if (!detail?.alarmContributor?.attributes || 'InstanceId' in detail.alarmContributor.attributes)
    return event;
  return {
    ...event,
    detail: {
      ...detail,
      alarmContributor: {
        ...detail.alarmContributor,
        attributes: { ...detail.alarmContributor.attributes, InstanceId: instanceId },
      },
    },
  };
}

async function sendStep(step: PlannedStep, deps: PressureReplayDeps): Promise<ActionState> {
  // The replay's own guard, as for a kill: the policy was made a dry run already, and the document is told so again.
  const parameters = deps.apply ? step.parameters : { ...step.parameters, dryRun: ['true'] };
  try {
    return { step, command: await deps.runner.run(step.documentName, parameters) };
  } catch (error) {
    return { step, sendError: sendErrorOf(error) };
  }
}

function analysisText(result: AnalyzePressureResult): string {
  const { analysis } = result;
  const when = analysis.exhaustion
    ? `exhaustion in ${analysis.exhaustion.bound} ${analysis.exhaustion.minutes} min`
    : `no projection (metrics ${analysis.metrics.status})`;
  const grower = analysis.grower
    ? `${analysis.grower.kind === 'growing' ? 'top grower' : 'largest'} ${analysis.grower.comm} (pid ${analysis.grower.pid})`
    : 'no process named';
  return `${when}; ${grower}; host ${analysis.host.confirmation.status}`;
}

function sendErrorOf(error: unknown): { Error: string; Cause: string } {
  if (error instanceof SendCommandError) return { Error: error.errorName, Cause: error.message };
  return { Error: (error as Error).name ?? 'Error', Cause: (error as Error).message ?? String(error) };
}

/** Through JSON, as every state between two steps of the state machine is. */
function json<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
