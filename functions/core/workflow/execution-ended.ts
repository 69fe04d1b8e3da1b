import * as z from 'zod';
import { durationWords } from '../format/duration';
import { isPressureState } from './pressure-state';
import { type NotifyEvent, WorkflowInputSchema } from './state';

/**
 * An execution that ended without notifying, as EventBridge delivers it ("Step Functions Execution Status
 * Change", source `aws.states`; see the EventBridge reference of Step Functions events): the notify Lambda turns it
 * into a notification that says the response failed before it could notify.
 */
export const EXECUTION_ENDED_UNNOTIFIED = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export const ExecutionEndedEventSchema = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string().min(1),
    stateMachineArn: z.string().min(1),
    /** The execution name: the incident id (the detector names each execution after its incident). */
    name: z.string().min(1),
    status: z.enum(EXECUTION_ENDED_UNNOTIFIED),
    /** The execution input as a JSON string, or null when it was too large to include (ours is a few hundred bytes). */
    input: z.string().nullable(),
    error: z.string().nullable().optional(),
    cause: z.string().nullable().optional(),
    /** Epoch milliseconds: how long the execution ran before it ended. */
    startDate: z.number().optional(),
    stopDate: z.number().nullable().optional(),
  }),
});

export type ExecutionEndedEvent = z.infer<typeof ExecutionEndedEventSchema>;

/** What the notifier receives from the workflow's Notify state: the state, and the execution to link to. */
export interface NotifyInvocation {
  state: NotifyEvent;
  executionArn: string;
}

export class ExecutionEndedEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExecutionEndedEventError';
  }
}

/** Whether `event` claims to be a Step Functions status-change event (then it must parse as one). */
export function isExecutionEndedEvent(event: unknown): boolean {
  return (
    typeof event === 'object' &&
    event !== null &&
    (event as { source?: unknown }).source === 'aws.states' &&
    'detail-type' in event
  );
}

const WHAT_HAPPENED: Record<ExecutionEndedEvent['detail']['status'], string> = {
  FAILED: 'failed',
  TIMED_OUT: 'timed out',
  ABORTED: 'was stopped',
};

/**
 * The notification for an execution that ended unnotified: the incident from the execution's input, and a
 * failure that says which way it ended, with Step Functions' error and cause when it gave them.
 */
export function notifyInvocationFromExecutionEnded(event: unknown): NotifyInvocation {
  const parsed = ExecutionEndedEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new ExecutionEndedEventError(
      `not a Step Functions execution status change this notifier handles: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ')}`,
      { cause: parsed.error },
    );
  }
  const { detail } = parsed.data;
  const input = parseInput(detail.input, detail.executionArn);
  return {
    executionArn: detail.executionArn,
    state: { ...input, failure: endedFailure(detail) },
  };
}

/**
 * The same, for an execution of the pressure workflow (its input has `mode: 'pressure'`): the warning's input and
 * the failure, for the pressure notify use case to validate. Null when the event is not one of a pressure execution.
 */
export function pressureInvocationFromExecutionEnded(
  event: unknown,
): { state: Record<string, unknown>; executionArn: string } | null {
  const parsed = ExecutionEndedEventSchema.safeParse(event);
  if (!parsed.success || parsed.data.detail.input === null) return null;
  let input: unknown;
  try {
    input = JSON.parse(parsed.data.detail.input);
  } catch {
    return null;
  }
  if (!isPressureState(input)) return null;
  const { detail } = parsed.data;
  return {
    executionArn: detail.executionArn,
    state: { ...(input as Record<string, unknown>), failure: endedFailure(detail) },
  };
}

/** The workflow's own Fail state: it is reached only from Notify, once Notify's retries are spent. */
const NOTIFY_FAILED = 'NotifyFailed';

function endedFailure(detail: ExecutionEndedEvent['detail']): NonNullable<NotifyEvent['failure']> {
  const cause = detail.cause ? { cause: detail.cause } : {};
  if (detail.error === NOTIFY_FAILED) {
    // Its cause is the Fail state's own fixed sentence: left out, it would only repeat this one.
    return {
      stage: 'notify',
      error: `the response failed before it could notify: the notifier failed on every attempt, and this message was sent by the backstop for failed executions (${NOTIFY_FAILED})`,
    };
  }
  if (detail.status === 'TIMED_OUT') {
    // Step Functions stops a timed-out execution where it is, without an error or cause: say which limit it was.
    const ranSeconds =
      detail.startDate !== undefined && typeof detail.stopDate === 'number'
        ? (detail.stopDate - detail.startDate) / 1000
        : null;
    const limit = ranSeconds === null ? '' : ` (${durationWords(ranSeconds)})`;
    return {
      stage: 'workflow',
      error: `the response timed out before it could notify: it was still running at its time limit${limit}, and Step Functions stopped it`,
      ...cause,
    };
  }
  const error = detail.error ? ` (${detail.error})` : '';
  return {
    stage: 'workflow',
    error: `the response ${WHAT_HAPPENED[detail.status]} before it could notify${error}`,
    ...cause,
  };
}

function parseInput(input: string | null, executionArn: string) {
  if (input === null) {
    throw new ExecutionEndedEventError(`the event for ${executionArn} carries no execution input`);
  }
  let json: unknown;
  try {
    json = JSON.parse(input);
  } catch (cause) {
    throw new ExecutionEndedEventError(`the execution input of ${executionArn} is not JSON`, { cause });
  }
  const parsed = WorkflowInputSchema.safeParse(json);
  if (!parsed.success) {
    throw new ExecutionEndedEventError(`the execution input of ${executionArn} is not a workflow input`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
