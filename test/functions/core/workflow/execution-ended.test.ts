import { describe, expect, it } from 'vitest';
import {
  ExecutionEndedEventError,
  isExecutionEndedEvent,
  notifyInvocationFromExecutionEnded,
} from '../../../../functions/core/workflow/execution-ended';

const INPUT = {
  incidentId: 'oom-20261125T173050-0123456789abcdef',
  instanceId: 'i-0abc1234def567890',
  killTime: '2026-11-25T17:30:50.077Z',
  pid: '3920',
  process: 'python3',
  unit: 'app.service',
  memcgPath: '/system.slice/app.service',
};
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:OomResponderWorkflow';
const EXECUTION = `arn:aws:states:us-east-1:123456789012:execution:OomResponderWorkflow:${INPUT.incidentId}`;

/**
 * The shape of the "Execution Timed Out" example in the Step Functions guide ("EventBridge (CloudWatch Events)
 * for Step Functions execution status changes"): input as a JSON string, error and cause null when timed out.
 */
function statusChange(status: string, detail: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: '315c1398-40ff-a850-213b-158f73e60175',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2026-11-25T20:30:51Z',
    region: 'us-east-1',
    resources: [EXECUTION],
    detail: {
      executionArn: EXECUTION,
      stateMachineArn: MACHINE,
      name: INPUT.incidentId,
      status,
      startDate: 1_795_627_850_077,
      stopDate: 1_795_638_650_077,
      input: JSON.stringify(INPUT),
      inputDetails: { included: true },
      output: null,
      outputDetails: null,
      error: null,
      cause: null,
      ...detail,
    },
  };
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
