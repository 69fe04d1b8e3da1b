import { durationWords } from '../format/duration';
import type { NotifyEvent } from '../workflow/state';
import { functionTimedOut, STATE_TIMEOUT } from './time-limits';

type WorkflowFailure = NonNullable<NotifyEvent['failure']>;

/** The workflow's stage names (lib/workflow/response-workflow.ts `recordFailure`), as a sentence's subject. */
const STAGE_WORDS: Record<string, string> = {
  analyze: 'the analysis',
  remediate: 'the remediation',
  notify: 'the notifier',
  workflow: 'the response',
};

/**
 * One line for a failed stage: its error name and cause, or, when it ran out of time, which limit it reached and
 * that the response went on without it. A state timeout's cause is empty (Step Functions gives `""`), so the
 * limit comes from the state: `timeoutSeconds`, recorded by the workflow beside the error.
 */
export function failureText(failure: WorkflowFailure): string {
  const what = STAGE_WORDS[failure.stage] ?? `the ${failure.stage} stage`;
  if (failure.error === STATE_TIMEOUT) {
    const limit =
      failure.timeoutSeconds === undefined
        ? 'its time limit'
        : `its time limit of ${durationWords(failure.timeoutSeconds)}`;
    return `${what} did not finish within ${limit}; the response stopped waiting for it and went on without it (${STATE_TIMEOUT})`;
  }
  const ranOut = functionTimedOut(failure.cause);
  if (ranOut) {
    return `${what} ran out of time: its Lambda function was stopped at its own timeout (${failure.error ?? 'Lambda.Unknown'}: ${ranOut}); the response went on without it`;
  }
  const cause = failure.cause ? `: ${failure.cause.slice(0, 300)}` : '';
  return `${failure.error ?? 'failed'}${cause}`;
}
