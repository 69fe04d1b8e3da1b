import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Analysis } from '../../../functions/core/analysis/model';
import type { ResponseOutcome } from '../../../functions/core/incident/outcome';
import { renderSnsNotification } from '../../../functions/core/render/sns';
import { diagnosticsOutcome } from '../../../functions/core/respond/diagnostics-outcome';
import { responseOutcome } from '../../../functions/core/respond/notify-incident';
import { notifyInvocationFromExecutionEnded } from '../../../functions/core/workflow/execution-ended';
import {
  AnalyzeEventSchema,
  type NotifyEvent,
  NotifyEventSchema,
} from '../../../functions/core/workflow/state';
import { executionArnOf, executionStatusChange, WORKFLOW_INPUT } from '../../support/execution-status-change';
import { type Delivery, formatMatrix, type MatrixRow, tally, verdict } from '../../support/fault-matrix';
import { realKill, recordRequest } from '../../support/kills';
import {
  type LocalStateMachine,
  localStateMachine,
  localStepFunctionsRuns,
  localStepFunctionsSkip,
  type TaskHandler,
} from '../../support/local-state-machine';
import { stateMachineDefinition, synthStack } from '../../support/synth';
import { type AslMachine, nested, stateOf } from './asl';

/**
 * The workflow rows of the exactly-once fault matrix (issue 13): the synthesized state machine, run by
 * aws-local-stepfunctions, with one stage's task answering with one fault on every attempt (or, for throttling,
 * on the first two), and everything else answering as AWS does on a good day. A delivery is the Notify task's
 * handler invoked and returning; a Notify that fails every attempt ends the execution FAILED, and the
 * execution-ended rule's event is then handed to the same handler (functions/core/workflow/execution-ended.ts),
 * as EventBridge does. Every cell must read "once". A Notify fault lasts for all of the workflow's attempts (the
 * Task's own Retry, as synthesized) and has cleared by the time the rule's event arrives: the event is retried by
 * EventBridge and by Lambda's asynchronous invocation for up to 6 hours (lib/workflow/ended-unnotified.ts). A Notify
 * that throws or times out delivered nothing (what a half-finished notifier already sent is the notify use case's
 * matrix, not this one).
 *
 * Timeouts are real: a task that never answers is timed out by the interpreter at the state's own TimeoutSeconds
 * (fake timers make the minutes pass at once), so Retry and Catch see the genuine States.Timeout, which
 * States.TaskFailed does not match. Needs Node.js 22+, like the path tests: CI runs test/lib/workflow again under
 * Node 24 (.ci/run).
 */
type Machine = LocalStateMachine;

const INPUT = WORKFLOW_INPUT;
const EXECUTION_ARN = executionArnOf(INPUT.incidentId);
const BUCKET = 'oom-responder-diagnostics';

const STAGES = {
  'diagnostics send': 'Diagnostics: send command',
  'diagnostics poll': 'Diagnostics: get command invocation',
  analyze: 'Analyze',
  'remediation send': 'Remediation: send command',
  'remediation poll': 'Remediation: get command invocation',
  notify: 'Notify',
} as const;
type Stage = keyof typeof STAGES;
const SSM_STAGES: readonly Stage[] = [
  'diagnostics send',
  'diagnostics poll',
  'remediation send',
  'remediation poll',
];

/**
 * What a faulty task does on one attempt: throw this error, never answer (the state's timeout then fires), answer
 * as on a good day, or answer with this instead.
 */
type Attempt = Error | 'hang' | 'answer' | { answer: unknown };

interface Fault {
  name: string;
  /** The error on each attempt, by the kind of task: SSM through the SDK integration, or a Lambda invoke. */
  ssm?: (attempt: number) => Attempt;
  lambda?: (attempt: number) => Attempt;
  /** Only for GetCommandInvocation. */
  poll?: (attempt: number) => Attempt;
}

function sdkError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/**
 * SSM errors as Step Functions names them (aws-facts §10, lib/workflow/ssm-command.ts): modelled errors are
 * `Ssm.<Name>Exception`; ThrottlingException, ValidationException and AccessDeniedException are not modelled for
 * SendCommand or GetCommandInvocation, so they arrive as the generic `Ssm.SsmException`, their code in the cause.
 * Lambda: service errors are `Lambda.<Name>Exception`; an unhandled function error, a function timeout included,
 * is `Lambda.Unknown` (Step Functions "Handle Lambda service exceptions"); the function's own errors carry their
 * errorType.
 */
const generic = (code: string, message: string) =>
  sdkError('Ssm.SsmException', `${message} (Service: Ssm, Status Code: 400, Error Code: ${code})`);
const always = (error: () => Attempt) => (): Attempt => error();
const firstTwo =
  (error: () => Error) =>
  (attempt: number): Attempt =>
    attempt < 2 ? error() : 'answer';

const FAULTS: Fault[] = [
  {
    name: 'throttling (recovers)',
    ssm: firstTwo(() => generic('ThrottlingException', 'Rate exceeded')),
    lambda: firstTwo(() => sdkError('Lambda.TooManyRequestsException', 'Rate Exceeded.')),
  },
  {
    name: '5xx InternalServerError',
    ssm: always(() => sdkError('Ssm.InternalServerErrorException', 'An internal error occurred')),
    // For a Lambda stage: the function's own unhandled error, a DynamoDB 5xx it met.
    lambda: always(() => sdkError('InternalServerError', 'DynamoDB: Internal server error')),
  },
  { name: 'timeout (States.Timeout)', ssm: always(() => 'hang'), lambda: always(() => 'hang') },
  {
    name: 'ValidationException',
    ssm: always(() => generic('ValidationException', '1 validation error detected')),
    lambda: always(() => sdkError('ValidationException', 'The provided key element does not match')),
  },
  {
    name: 'InvalidInstanceId',
    ssm: always(() =>
      sdkError('Ssm.InvalidInstanceIdException', 'Instances [[i-0abc1234def567890]] not in a valid state'),
    ),
  },
  {
    name: 'AccessDenied',
    ssm: always(() =>
      generic('AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/Sfn is not authorized'),
    ),
    lambda: always(() =>
      sdkError(
        'Lambda.AWSLambdaException',
        'User is not authorized to perform: lambda:InvokeFunction (Service: Lambda, Status Code: 403, Error Code: AccessDeniedException)',
      ),
    ),
  },
  {
    name: 'retries exhausted (throttled)',
    ssm: always(() => generic('ThrottlingException', 'Rate exceeded')),
    lambda: always(() => sdkError('Lambda.TooManyRequestsException', 'Rate Exceeded.')),
  },
  {
    // Not an error: the command stays InProgress past its poll budget (its document's timeout plus delivery).
    name: 'still running (poll budget spent)',
    poll: always(() => ({
      answer: { Status: 'InProgress', StatusDetails: 'InProgress', ResponseCode: -1 },
    })),
  },
  {
    name: 'Lambda service error',
    lambda: always(() => sdkError('Lambda.ServiceException', 'Lambda is unable to process the request')),
  },
  {
    name: 'Lambda timed out',
    lambda: always(() =>
      sdkError('Lambda.Unknown', 'RequestId: 3f1a Error: Task timed out after 60.00 seconds'),
    ),
  },
];

const SWAP_STEP = {
  action: 'add-swap',
  documentName: 'OomResponder-AddSwap',
  parameters: { sizeMiB: ['2048'], dryRun: ['false'] },
  dryRun: false,
  reason: 'no swap',
};
/** The real stdout of collect-diagnostics (test/fixtures/diagnostics/SOURCES.md). */
const DIAGNOSTICS_STDOUT = readFileSync(
  new URL('../../fixtures/diagnostics/collect-diagnostics-debian12-cgroup-v1.stdout', import.meta.url),
  'utf8',
);
const NO_FINDINGS: Analysis = { findings: [], likelyCause: null, plan: { steps: [], skipped: [] } };
const INCIDENT = {
  ...recordRequest(INPUT.instanceId, [{ kill: realKill(), observedAtMs: Date.parse(INPUT.killTime) }])
    .incident,
  id: INPUT.incidentId,
};
const CONFIG = { outputBucket: BUCKET, partition: 'aws', region: 'us-east-1' };

/** One scenario's run: what Notify was handed, what it made of it, and what went out. */
interface Observed {
  deliveries: Delivery[];
  states: NotifyEvent[];
  outcomes: ResponseOutcome[];
  texts: string[];
  endedBy: 'notify' | 'execution-ended rule';
  /** Invocations of the faulty task. */
  attempts: number;
}

let machine: Machine;
let definition: AslMachine;

beforeAll(async () => {
  const asl = stateMachineDefinition(
    synthStack({ responder: { remediationPolicy: { addSwap: { enabled: true } } } }).template,
  );
  definition = asl as unknown as AslMachine;
  machine = await localStateMachine(asl);
}, 60_000);

/**
 * The notifier's use case as far as exactly-once goes: parse the event as the Lambda does, assemble what is
 * known (the real `responseOutcome`), render it, tell once, and remember it (a retried step tells no one twice).
 */
function notifier(observed: Observed) {
  const told = new Set<string>();
  return (invocation: unknown) => {
    const { state, executionArn } = invocation as { state: unknown; executionArn: string };
    const parsed = NotifyEventSchema.parse(state);
    if (told.has(parsed.incidentId)) return { incidentId: parsed.incidentId, already: true };
    const outcome = responseOutcome(parsed, INCIDENT, executionArn, CONFIG);
    observed.texts.push(renderSnsNotification(outcome).message);
    observed.states.push(parsed);
    observed.outcomes.push(outcome);
    observed.deliveries.push({ channel: 'sns', incidentIds: [parsed.incidentId] });
    told.add(parsed.incidentId);
    return { incidentId: parsed.incidentId, sns: 'sent' };
  };
}

/** The tasks as AWS answers them on a good day: diagnostics are collected, the analysis plans swap, it is added. */
function healthy(tell: (invocation: unknown) => unknown): Record<Stage, TaskHandler> {
  return {
    'diagnostics send': async () => ({ Command: { CommandId: 'cmd-diag' } }),
    'diagnostics poll': async () => ({
      Status: 'Success',
      StatusDetails: 'Success',
      ResponseCode: 0,
      StandardOutputContent: DIAGNOSTICS_STDOUT,
    }),
    analyze: async (input) => {
      const event = AnalyzeEventSchema.parse(input);
      return { diagnostics: diagnosticsOutcome(event, BUCKET), analysis: NO_FINDINGS, steps: [SWAP_STEP] };
    },
    'remediation send': async () => ({ Command: { CommandId: 'cmd-swap' } }),
    'remediation poll': async () => ({
      Status: 'Success',
      StatusDetails: 'Success',
      ResponseCode: 0,
      StandardOutputContent: 'result=done reason=none verification=swapon-show-lists-path',
    }),
    notify: async (input) => tell(input),
  };
}

async function runScenario(stage: Stage, fault: (attempt: number) => Attempt): Promise<Observed> {
  const observed: Observed = {
    deliveries: [],
    states: [],
    outcomes: [],
    texts: [],
    endedBy: 'notify',
    attempts: 0,
  };
  const tell = notifier(observed);
  const answers = healthy(tell);
  const faulty: TaskHandler = (input) => {
    const attempt = fault(observed.attempts++);
    if (attempt === 'hang') return new Promise<never>(() => {});
    if (attempt instanceof Error) return Promise.reject(attempt);
    if (attempt !== 'answer') return Promise.resolve(attempt.answer);
    return answers[stage](input);
  };
  const handlers = Object.fromEntries(
    (Object.keys(STAGES) as Stage[]).map((s) => [STAGES[s], s === stage ? faulty : answers[s]]),
  );
  const execution = machine.run(INPUT, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      waitTimeOverrides: { 'Diagnostics: wait': 0, 'Remediation: wait': 0 },
      retryIntervalOverrides: Object.fromEntries(Object.values(STAGES).map((name) => [name, 0])),
    },
    context: { Execution: { Id: EXECUTION_ARN, Input: INPUT } },
  });
  let ended: { ok: true } | { ok: false; error: Error } | null = null;
  execution.result.then(
    () => {
      ended = { ok: true };
    },
    (error: Error) => {
      ended = { ok: false, error };
    },
  );
  // Task timeouts are the only timers left (waits and retry intervals are overridden to 0): let them run out.
  while (ended === null) await vi.advanceTimersByTimeAsync(1_000);
  const end = ended as { ok: true } | { ok: false; error: Error };
  if (!end.ok) {
    // The execution ended FAILED (a failed Notify ends in the NotifyFailed Fail state, the only Fail state) or
    // TIMED_OUT: Step Functions emits the status-change event, the rule hands it to the notifier's execution-ended
    // path. A timed-out execution's event carries no error or cause.
    const failure = (end.error.cause ?? end.error) as Error;
    const event =
      end.error.name === 'ExecutionTimeoutError'
        ? executionStatusChange('TIMED_OUT')
        : executionStatusChange('FAILED', { detail: { error: failure.name, cause: failure.message } });
    tell(notifyInvocationFromExecutionEnded(event));
    observed.endedBy = 'execution-ended rule';
  }
  return observed;
}

const scenarios = (Object.keys(STAGES) as Stage[]).flatMap((stage) =>
  FAULTS.flatMap((fault) => {
    const inject = stage.endsWith('poll')
      ? (fault.ssm ?? fault.poll)
      : SSM_STAGES.includes(stage)
        ? fault.ssm
        : fault.lambda;
    return inject ? [{ stage, fault: fault.name, inject }] : [];
  }),
);

/** The Wait of a command's poll loop, in the top-level machine or in the remediation Map's item processor. */
function pollIntervalOf(stage: Stage): number {
  const prefix = stage.startsWith('diagnostics') ? 'Diagnostics' : 'Remediation';
  const machines = [definition, ...Object.values(definition.States).flatMap((s) => nested(s))];
  const wait = machines.map((m) => m.States[`${prefix}: wait`]).find((s) => s !== undefined);
  return wait?.Seconds ?? Number.NaN;
}

/**
 * What Notify must have been handed for the fault: the stage and its error, the results of the stages before it
 * (and after it, where the response went on), and, when the stage ran out of time, words that say so.
 */
function expectWhatIsKnown(stage: Stage, last: Attempt, observed: Observed): void {
  const [state, outcome, text] = [observed.states[0], observed.outcomes[0], observed.texts[0] ?? ''];
  if (!state || !outcome) throw new Error('nothing reached the notifier');
  const error = last === 'hang' ? 'States.Timeout' : last instanceof Error ? last.name : null;
  const swap = outcome.actions[0];
  if (last === 'answer') {
    // Recovered by its retries: the whole response, as on a good day.
    expect(outcome.failure).toBeNull();
    expect([outcome.diagnostics.status, swap?.status]).toEqual(['collected', 'done']);
    return;
  }
  if (stage === 'diagnostics send' || stage === 'diagnostics poll') {
    expect(outcome.diagnostics.status).not.toBe('collected');
    if (error) expect(outcome.diagnostics.detail).toContain(error);
    expect(text).toContain(outcome.diagnostics.detail);
    expect(swap?.status).toBe('done');
  }
  if (stage === 'analyze') {
    expect(state.failure).toEqual({
      stage: 'analyze',
      error,
      cause: expect.any(String),
      timeoutSeconds: stateOf(definition, 'Analyze').TimeoutSeconds,
    });
    // What the diagnostics found before the analysis failed.
    expect(outcome.diagnostics).toMatchObject({ status: 'collected', commandId: 'cmd-diag' });
    expect(text).toContain('The response workflow failed at analyze');
  }
  if (stage === 'remediation send' || stage === 'remediation poll') {
    expect(outcome.diagnostics.status).toBe('collected');
    expect(swap?.status).toBe('failed');
    if (error) expect(swap?.summary).toContain(error);
    expect(text).toContain(swap?.summary);
  }
  if (stage === 'notify') {
    expect(observed.endedBy).toBe('execution-ended rule');
    expect(state.failure).toMatchObject({ stage: 'notify', error: expect.stringContaining('NotifyFailed') });
  }
  if (error === 'States.Timeout' && stage === 'analyze') {
    const limit = stateOf(definition, 'Analyze').TimeoutSeconds;
    expect(text).toContain(`the analysis did not finish within its time limit of ${limit} seconds`);
  } else if (error === 'States.Timeout' && stage !== 'notify') {
    expect(text).toMatch(/did not answer \w+ within its time limit/);
  }
  if (error === 'Lambda.Unknown' && stage === 'analyze') expect(text).toContain('ran out of time');
  if (!error) {
    // The poll budget ran out: how long the response waited, from the polls it made and the Wait between them.
    const minutes = Math.round((observed.attempts * pollIntervalOf(stage)) / 60);
    expect(text).toContain(`still InProgress after about ${minutes} minutes`);
    expect(text).toContain('stopped waiting');
  }
}

describe.skipIf(!localStepFunctionsRuns)(`the workflow's fault matrix${localStepFunctionsSkip}`, () => {
  const rows: MatrixRow[] = [];

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(scenarios)(
    '$stage × $fault: notified once, with what is known',
    async ({ stage, fault, inject }) => {
      const observed = await runScenario(stage, inject);
      const row = tally(stage, fault, [INPUT.incidentId], observed.deliveries);
      rows.push(row);
      expect(verdict(row)).toBe('once');
      expectWhatIsKnown(stage, inject(Number.MAX_SAFE_INTEGER), observed);
    },
  );

  it('prints the matrix, every cell once', () => {
    console.log(formatMatrix('## workflow: incidents notified, per stage and fault', rows));
    expect(rows).toHaveLength(scenarios.length);
    expect(rows.filter((row) => verdict(row) !== 'once')).toEqual([]);
  });
});
