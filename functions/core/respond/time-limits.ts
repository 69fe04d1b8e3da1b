import { durationWords } from '../format/duration';

/**
 * A stage that ran out of time, said the way on-call reads it: which limit, how long, and that the response went
 * on without the stage's result. The workflow reports two kinds: a Task that did not answer within its state's
 * TimeoutSeconds (`States.Timeout`, whatever its cause: Step Functions gives it an empty one), and a Lambda
 * function stopped at its own timeout (an unhandled `Lambda.Unknown` or `Sandbox.Timedout` whose cause reads
 * "Task timed out after 60.00 seconds").
 */
export const STATE_TIMEOUT = 'States.Timeout';

interface SfnError {
  Error?: string;
  Cause?: string;
}

export function isStateTimeout(error: SfnError | undefined): boolean {
  return error?.Error === STATE_TIMEOUT;
}

/** "Task timed out after 60.00 seconds" in a Lambda error's cause: the function hit its own timeout. */
export function functionTimedOut(cause: string | undefined): string | null {
  const match = /Task timed out after [\d.]+ seconds/.exec(cause ?? '');
  return match ? match[0] : null;
}

/**
 * How long the workflow waited on a command it stopped waiting for: its polls times the interval between them
 * (the state machine records the interval when it gives up), or the number of checks when it did not.
 */
export function waitedWords(command: { polls?: number; pollIntervalSeconds?: number }): string {
  const polls = command.polls ?? 0;
  if (command.pollIntervalSeconds === undefined) return `${polls} checks`;
  return durationWords(polls * command.pollIntervalSeconds);
}
