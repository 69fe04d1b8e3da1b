import { describe, expect, it } from 'vitest';
import { alarmActionOutcome, alarmFailureCause } from '../../../cli/drill/causes';

// Alarm history summaries as users have published them from real alarms (AWS documents no sample of a failed
// action): the error follows "Received error:" in the summary.
const ARN = 'arn:aws:sns:ap-southeast-2:123456789012:prod';
const KMS_DENIED = `Failed to execute action ${ARN}. Received error: "CloudWatch Alarms does not have authorization to access the SNS topic encryption key."`;
const PUBLISH_DENIED = `Failed to execute action ${ARN}. Received error: "CloudWatch Alarms is not authorized to perform: SNS:Publish on resource: ${ARN}"`;

describe("an alarm action's outcome and its cause", () => {
  it('reads the error from the summary when the history data has none, and names the key policy', () => {
    const outcome = alarmActionOutcome({ atMs: 0, summary: KMS_DENIED, data: null });
    expect(outcome).toEqual({
      ok: false,
      error: 'CloudWatch Alarms does not have authorization to access the SNS topic encryption key.',
    });
    expect(alarmFailureCause(outcome.error).cause).toBe(
      "the topic's KMS key policy does not allow cloudwatch.amazonaws.com",
    );
  });

  it('names the topic policy when CloudWatch may not publish', () => {
    const outcome = alarmActionOutcome({ atMs: 0, summary: PUBLISH_DENIED, data: null });
    expect(outcome.ok).toBe(false);
    expect(alarmFailureCause(outcome.error).cause).toBe(
      "the topic's access policy does not allow CloudWatch to publish",
    );
  });

  it('reads a success', () => {
    expect(
      alarmActionOutcome({ atMs: 0, summary: `Successfully executed action ${ARN}`, data: null }).ok,
    ).toBe(true);
  });
});
