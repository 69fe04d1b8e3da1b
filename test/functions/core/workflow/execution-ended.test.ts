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

  it('becomes a notification of the incident in its input, saying the response timed out', () => {
    expect(notifyInvocationFromExecutionEnded(statusChange('TIMED_OUT'))).toEqual({
      executionArn: EXECUTION,
      state: {
        ...INPUT,
        failure: { stage: 'workflow', error: 'the response timed out before it could notify' },
      },
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
