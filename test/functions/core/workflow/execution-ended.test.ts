import { describe, expect, it } from 'vitest';
import {
  ExecutionEndedEventError,
  isExecutionEndedEvent,
  notifyInvocationFromExecutionEnded,
} from '../../../../functions/core/workflow/execution-ended';
import {
  executionArnOf,
  executionStatusChange,
  WORKFLOW_INPUT,
} from '../../../support/execution-status-change';

const INPUT = WORKFLOW_INPUT;
const EXECUTION = executionArnOf(INPUT.incidentId);

function statusChange(status: string, detail: Record<string, unknown> = {}) {
  return executionStatusChange(status, { detail });
}

describe('an execution that ended before it notified', () => {
  it('is recognised by its source, and the workflow state is not', () => {
    expect(isExecutionEndedEvent(statusChange('TIMED_OUT'))).toBe(true);
    expect(isExecutionEndedEvent({ state: INPUT, executionArn: EXECUTION })).toBe(false);
    expect(isExecutionEndedEvent(null)).toBe(false);
  });

  it('becomes a notification of the incident in its input, saying the response timed out and after how long', () => {
    const startDate = 1_795_627_850_077;
    const { executionArn, state } = notifyInvocationFromExecutionEnded(
      executionStatusChange('TIMED_OUT', { startDate, detail: { stopDate: startDate + 3 * 3_600_000 } }),
    );
    expect(executionArn).toBe(EXECUTION);
    expect(state).toEqual({
      ...INPUT,
      failure: {
        stage: 'workflow',
        error:
          'the response timed out before it could notify: it was still running at its time limit (about 3 hours), and Step Functions stopped it',
      },
    });
  });

  it('says the notifier itself failed when the execution ended in NotifyFailed, the Fail state after Notify', () => {
    const { state } = notifyInvocationFromExecutionEnded(
      statusChange('FAILED', { error: 'NotifyFailed', cause: 'The notifier could not report the incident' }),
    );
    expect(state.failure).toEqual({
      stage: 'notify',
      error:
        'the response failed before it could notify: the notifier failed on every attempt, and this message was sent by the backstop for failed executions (NotifyFailed)',
    });
  });

  it.each([
    ['FAILED', 'failed'],
    ['ABORTED', 'was stopped'],
  ])('says how it ended when %s, with the error and cause Step Functions gave', (status, words) => {
    const { state } = notifyInvocationFromExecutionEnded(
      statusChange(status, {
        error: 'States.DataLimitExceeded',
        cause: 'The state/task returned a result too large',
      }),
    );
    expect(state.failure).toEqual({
      stage: 'workflow',
      error: `the response ${words} before it could notify (States.DataLimitExceeded)`,
      cause: 'The state/task returned a result too large',
    });
  });

  it('refuses a status the rule does not send (a succeeded execution has notified)', () => {
    expect(() => notifyInvocationFromExecutionEnded(statusChange('SUCCEEDED'))).toThrow(
      ExecutionEndedEventError,
    );
  });

  it('refuses an event whose input was left out (too large) or is not a workflow input, saying which execution', () => {
    expect(() =>
      notifyInvocationFromExecutionEnded(
        statusChange('FAILED', { input: null, inputDetails: { included: false } }),
      ),
    ).toThrow(/carries no execution input/);
    expect(() =>
      notifyInvocationFromExecutionEnded(statusChange('FAILED', { input: '{"incidentId":""}' })),
    ).toThrow(new RegExp(`${EXECUTION}.*not a workflow input`));
    expect(() => notifyInvocationFromExecutionEnded(statusChange('FAILED', { input: 'not json' }))).toThrow(
      /not JSON/,
    );
  });
});
