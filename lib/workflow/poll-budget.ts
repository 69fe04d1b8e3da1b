import type { SsmCommandDocument } from '../ssm/documents';

/**
 * How long the workflow waits on one SSM command, derived from the command's own limits so that polling never
 * gives up on a command SSM is still allowed to run:
 *
 * - the delivery timeout (SendCommand `TimeoutSeconds`): a command the agent has not picked up by then never runs
 *   and ends `Delivery Timed Out`;
 * - the document's execution timeout (`aws:runShellScript` `timeoutSeconds`): the agent stops the script then and
 *   reports `TimedOut` / `Execution Timed Out`;
 * - a grace for the agent to report the final status after either.
 *
 * Past that sum SSM has either finished the command or will never report on it: a poll still `Pending` or
 * `InProgress` then is reported as "timed out waiting" rather than waited on forever.
 */
export interface PollBudgetInput {
  readonly deliveryTimeoutSeconds: number;
  readonly executionTimeoutSeconds: number;
  readonly pollIntervalSeconds: number;
  /** @default 60 */
  readonly reportingGraceSeconds?: number;
}

/** SendCommand `TimeoutSeconds` (minimum 30): a command an offline agent has not taken by then is dropped. */
export const DELIVERY_TIMEOUT_SECONDS = 120;
export const DEFAULT_REPORTING_GRACE_SECONDS = 60;

/** Seconds of waiting one command may take before the workflow stops waiting. */
export function pollWindowSeconds(input: PollBudgetInput): number {
  return (
    input.deliveryTimeoutSeconds +
    input.executionTimeoutSeconds +
    (input.reportingGraceSeconds ?? DEFAULT_REPORTING_GRACE_SECONDS)
  );
}

/** Polls that cover the window at the given interval (each poll follows one wait). */
export function maxPollsFor(input: PollBudgetInput): number {
  if (input.pollIntervalSeconds <= 0) throw new Error('the poll interval must be positive');
  return Math.ceil(pollWindowSeconds(input) / input.pollIntervalSeconds);
}

/** The execution timeout of a document's one `aws:runShellScript` step. */
export function executionTimeoutOf(document: SsmCommandDocument): number {
  return document.mainSteps[0].inputs.timeoutSeconds;
}
