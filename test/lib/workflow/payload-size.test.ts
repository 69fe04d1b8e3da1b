import { beforeAll, describe, expect, it } from 'vitest';
import { PlannedStepSchema, WorkflowInputSchema } from '../../../functions/core/workflow/state';
import { stateMachineDefinition, synthStack } from '../../support/synth';
import { type AslMachine, type AslState, stateOf } from './asl';

/**
 * The largest state an execution can carry, from the synthesized definition: what each selector keeps, at the
 * largest each field can be. Step Functions fails an execution whose state passes 256 KiB with
 * States.DataLimitExceeded, which no Catch takes ("Handling errors": States.ALL does not match it).
 */
const LIMIT_BYTES = 256 * 1024;
/**
 * Every field below is taken at its largest at once (an error and an invocation on every command, an analysis
 * twice the size of the output it read): a quarter of the limit left over is room for what is bounded loosely.
 */
const BUDGET_BYTES = 0.75 * LIMIT_BYTES;

/**
 * Largest value of each member of a GetCommandInvocation response (API reference, GetCommandInvocation response
 * elements), in bytes of JSON. StandardOutputContent and StandardErrorContent hold the first 24,000 and 8,000
 * characters (also amazon-ssm-agent `MaxStdoutLength`/`MaxStderrLength`); the scripts print ASCII (`LC_ALL=C`), so
 * a character is a byte. Names: Comment 100, DocumentName 128; URLs and the log group name bounded generously.
 */
const INVOCATION_FIELD_BYTES: Record<string, number> = {
  CommandId: 36,
  InstanceId: 124,
  Comment: 100,
  DocumentName: 128,
  DocumentVersion: 16,
  PluginName: 64,
  ResponseCode: 11,
  ExecutionStartDateTime: 32,
  ExecutionElapsedTime: 32,
  ExecutionEndDateTime: 32,
  Status: 16,
  StatusDetails: 32,
  StandardOutputContent: 24_000,
  StandardOutputUrl: 1_024,
  StandardErrorContent: 8_000,
  StandardErrorUrl: 1_024,
  CloudWatchOutputConfig: 600,
};
/** An error Step Functions caught ({Error, Cause}): an SDK message, bounded here generously. */
const CAUGHT_ERROR_BYTES = 4_096;
/**
 * The workflow input: the incident id (an execution name, at most 80), an instance id, an ISO time, a pid, the
 * process comm (15, TASK_COMM_LEN), the unit (255, systemd's UNIT_NAME_MAX), the memcg path (4096, PATH_MAX).
 */
const INPUT_BYTES = 80 + 19 + 30 + 10 + 15 + 255 + 4_096 + 200;
/**
 * What the analyze Lambda returns (diagnostics outcome with the parsed summary, the analysis, the plan): the
 * summary is parsed from the first 24,000 characters of stdout and cannot hold more text than that; allow twice
 * that for JSON structure, plus 16 KiB of findings text.
 */
const ANALYSIS_BYTES = 2 * 24_000 + 16 * 1024;
/** A planned step: action, document name (128), parameters (each within its document's allowedPattern), reason. */
const STEP_BYTES = 2_048;
const COMMAND_ID_BYTES = 36 + 64;

let machine: AslMachine;

beforeAll(() => {
  const { template } = synthStack({
    responder: {
      remediationPolicy: {
        addSwap: { enabled: true },
        restartService: { enabled: true, allowedUnits: ['app.service'] },
      },
    },
  });
  machine = stateMachineDefinition(template) as unknown as AslMachine;
}, 120_000);

/** What a poll leaves in the state: the fields its ResultSelector keeps, or (without one) the whole response. */
function invocationBytes(poll: AslState): number {
  const kept = poll.ResultSelector
    ? Object.keys(poll.ResultSelector).map((key) => key.replace(/\.\$$/, ''))
    : Object.keys(INVOCATION_FIELD_BYTES);
  const unbounded = kept.filter((key) => !(key in INVOCATION_FIELD_BYTES));
  if (unbounded.length > 0) throw new Error(`the poll keeps fields of unknown size: ${unbounded.join(', ')}`);
  return kept.reduce((sum, key) => sum + (INVOCATION_FIELD_BYTES[key] as number) + key.length + 6, 0);
}

/** {commandId, polls, invocation, pollError, timedOutWaiting}: everything a command can leave in the state. */
function commandBytes(poll: AslState): number {
  return COMMAND_ID_BYTES + 32 + invocationBytes(poll) + CAUGHT_ERROR_BYTES + 32;
}

describe('the largest state an execution can carry', () => {
  it('drops the raw diagnostics output once the analysis holds what it said', () => {
    const keep = stateOf(machine, 'Keep what notify reads');
    const labelled = stateOf(machine, 'Keep what notify reads, with the provenance');
    const drill = stateOf(machine, 'Keep what notify reads, with the drill');
    const choice = stateOf(machine, 'Provenance given?');
    expect(stateOf(machine, 'Analyze').Next).toBe('Provenance given?');
    // A drill (the detector sets both keys) keeps both; a CLI sample or demo its provenance; a live state neither.
    expect(choice.Choices).toEqual([
      {
        And: [
          { Variable: '$.drill', IsPresent: true },
          { Variable: '$.provenance', IsPresent: true },
        ],
        Next: 'Keep what notify reads, with the drill',
      },
      { Variable: '$.provenance', IsPresent: true, Next: 'Keep what notify reads, with the provenance' },
    ]);
    expect(choice.Default).toBe('Keep what notify reads');
    // A live state (the deployed detector sets no provenance for a real kill) keeps every other field, as before.
    const fields = [...Object.keys(WorkflowInputSchema.shape), 'analysis'].map((key) => `${key}.$`).sort();
    expect(Object.keys(keep.Parameters ?? {}).sort()).toEqual(
      fields.filter((key) => key !== 'provenance.$' && key !== 'drill.$'),
    );
    expect(Object.keys(labelled.Parameters ?? {}).sort()).toEqual(fields.filter((key) => key !== 'drill.$'));
    expect(Object.keys(drill.Parameters ?? {}).sort()).toEqual(fields);
    expect(labelled.Next).toBe(keep.Next);
    expect(drill.Next).toBe(keep.Next);
  });

  it('stays well under 256 KiB at every step, with every remediation run', () => {
    const diagnosticsPoll = stateOf(machine, 'Diagnostics: get command invocation');
    const map = Object.values(machine.States).find((s) => s.Type === 'Map') as AslState;
    const remediationPoll = stateOf(map.ItemProcessor as AslMachine, 'Remediation: get command invocation');
    const items = PlannedStepSchema.shape.action.options.length;

    // Before the analysis: the input, the diagnostics command, or why it was not sent.
    const beforeAnalysis = INPUT_BYTES + commandBytes(diagnosticsPoll) + CAUGHT_ERROR_BYTES;
    // The analysis failed: the same, with the analysis's error.
    const analysisFailed = beforeAnalysis + CAUGHT_ERROR_BYTES;
    // After the remediations: every planned step with its command, then Notify's answer; and the diagnostics
    // command too, unless a state after the analysis dropped it.
    const keep = machine.States['Keep what notify reads'];
    const diagnosticsKept = !keep || JSON.stringify(keep.Parameters ?? {}).includes('diagnostics');
    const afterRemediation =
      INPUT_BYTES +
      (diagnosticsKept ? commandBytes(diagnosticsPoll) + CAUGHT_ERROR_BYTES : 0) +
      ANALYSIS_BYTES +
      items * (STEP_BYTES + commandBytes(remediationPoll) + CAUGHT_ERROR_BYTES) +
      1_024;
    const worst = Math.max(beforeAnalysis, analysisFailed, afterRemediation);
    console.info(
      `largest state: ${worst} bytes (${((100 * worst) / LIMIT_BYTES).toFixed(0)}% of 256 KiB; ` +
        `before analysis ${beforeAnalysis}, after ${items} remediations ${afterRemediation})`,
    );
    expect(worst).toBeLessThan(BUDGET_BYTES);
  });
});
