import { OomResponderError } from '../errors';
import type { NotificationRecord } from '../incident/model';

/**
 * How often the workflow's Notify task retries a `NotificationIncompleteError` (lib/workflow/response-workflow.ts
 * reads this): one number for both sides, so that the notifier gives up on a lagging channel on the last attempt
 * the workflow makes, never earlier, never one it will not make.
 */
export const NOTIFY_INCOMPLETE_RETRIES = 6;

/** Invocations a channel is tried in before it is recorded as failed, when another channel carried the message. */
export const CHANNEL_ATTEMPTS = NOTIFY_INCOMPLETE_RETRIES + 1;

/**
 * Retryable: some channel has not taken the message yet (Slack rate-limited past this invocation's time, SNS
 * throttled, another invocation in the middle of sending, or a storm follow-up not due yet). What went out is
 * recorded; the workflow retries the step with backoff, and the retry sends only what is missing. Lambda reports
 * it to Step Functions under this `name`, which the Notify task's retrier matches.
 */
export class NotificationIncompleteError extends OomResponderError {
  readonly retryable = true;

  constructor(
    readonly incidentId: string,
    /** The channels (or `storm`) still waited for, each with why. */
    readonly pending: readonly string[],
  ) {
    super(`incident ${incidentId} is not yet notified everywhere: ${pending.join('; ')}`);
  }
}

/**
 * Every channel refused for good: nothing reached anyone, and no retry can change that. The execution then fails,
 * and its failed-execution alarm is what is left to tell on-call.
 */
export class NotificationFailedError extends OomResponderError {
  readonly retryable = false;

  constructor(
    readonly incidentId: string,
    readonly record: NotificationRecord,
  ) {
    super(
      `incident ${incidentId} reached no channel: Slack ${record.slack.detail ?? record.slack.status}; SNS ${record.sns.detail ?? record.sns.status}`,
    );
  }
}
