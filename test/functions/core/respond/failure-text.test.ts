import { describe, expect, it } from 'vitest';
import { renderSnsNotification } from '../../../../functions/core/render/sns';
import { responseOutcome } from '../../../../functions/core/respond/notify-incident';
import type { NotifyEvent } from '../../../../functions/core/workflow/state';
import { WORKFLOW_INPUT } from '../../../support/execution-status-change';
import { realKill, recordRequest } from '../../../support/kills';
import { command } from './workflow-states';

/**
 * What on-call reads when a stage failed or ran out of time, rendered from the workflow state Notify receives
 * (the shapes lib/workflow records: `failure` from the catch of a stage, `timedOutWaiting` with the poll
 * interval when a command outlived its poll budget). The expected numbers come from the state.
 */
const INCIDENT = {
  ...recordRequest(WORKFLOW_INPUT.instanceId, [
    { kill: realKill(), observedAtMs: Date.parse(WORKFLOW_INPUT.killTime) },
  ]).incident,
  id: WORKFLOW_INPUT.incidentId,
};
const CONFIG = { outputBucket: 'oom-responder-diagnostics', partition: 'aws', region: 'us-east-1' };

function rendered(state: NotifyEvent): string {
  return renderSnsNotification(responseOutcome(state, INCIDENT, null, CONFIG)).message;
}

const collected = command({ Status: 'Success', ResponseCode: 0 });

describe('the message for a stage that failed or ran out of time', () => {
  it.each([60, 90, 930])(
    'says the analysis did not finish within its time limit (%i s, from the state), not "States.Timeout: "',
    (timeoutSeconds) => {
      const state: NotifyEvent = {
        ...WORKFLOW_INPUT,
        diagnostics: collected,
        failure: { stage: 'analyze', error: 'States.Timeout', cause: '', timeoutSeconds },
      };
      const limit =
        timeoutSeconds < 120
          ? `${timeoutSeconds} seconds`
          : `about ${Math.round(timeoutSeconds / 60)} minutes`;
      const text = rendered(state);
      expect(text).toContain(
        `The response workflow failed at analyze: the analysis did not finish within its time limit of ${limit}; the response stopped waiting for it`,
      );
      expect(text).not.toContain('States.Timeout:');
    },
  );

  it('says the function ran out of time when Lambda stopped it at its own timeout', () => {
    const cause = 'RequestId: 3f1a2b4c Error: Task timed out after 30.03 seconds';
    const text = rendered({
      ...WORKFLOW_INPUT,
      diagnostics: collected,
      failure: { stage: 'analyze', error: 'Lambda.Unknown', cause },
    });
    expect(text).toContain(
      'the analysis ran out of time: its Lambda function was stopped at its own timeout (Lambda.Unknown: Task timed out after 30.03 seconds)',
    );
  });

  it('keeps the error name and cause of any other failure', () => {
    const failure = {
      stage: 'analyze',
      error: 'IncidentNotFoundError',
      cause: 'incident oom-x is not in the store',
    };
    expect(rendered({ ...WORKFLOW_INPUT, diagnostics: collected, failure })).toContain(
      `failed at analyze: ${failure.error}: ${failure.cause}.`,
    );
  });

  it.each([
    [60, 5],
    [138, 10],
  ])(
    'says diagnostics were still running after the minutes waited (%i polls, %i s apart)',
    (polls, interval) => {
      const diagnostics = {
        ...command({ Status: 'InProgress', ResponseCode: -1 }, undefined, polls),
        timedOutWaiting: true as const,
        pollIntervalSeconds: interval,
      };
      const text = rendered({
        ...WORKFLOW_INPUT,
        diagnostics,
        failure: { stage: 'analyze', error: 'Lambda.ServiceException', cause: 'unavailable' },
      });
      expect(text).toContain(
        `Diagnostics timed out: the command was still InProgress after about ${Math.round((polls * interval) / 60)} minutes`,
      );
      expect(text).toContain('the response stopped waiting for it');
    },
  );
});
