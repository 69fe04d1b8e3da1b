import type { AlarmActionItem } from './ports';

/**
 * Known failures, said as a likely cause and the fix. The alarm texts are CloudWatch's own: an `Action` history
 * item's summary reads "Successfully executed action <arn>" or "Failed to execute action <arn>. Received error:
 * "<the target's error>"", and its `HistoryData` JSON may carry `actionState` and the error. The errors matched
 * below are the ones users have published from real alarm histories (AWS documents none): "CloudWatch Alarms does
 * not have authorization to access the SNS topic encryption key." and "CloudWatch Alarms is not authorized to
 * perform: SNS:Publish on resource: ...".
 */

export interface CauseAndFix {
  cause: string;
  fix: string;
}

/** The outcome of an alarm action history item: succeeded, failed (with the target's error), or unknown. */
export function alarmActionOutcome(item: AlarmActionItem): { ok: boolean | null; error: string | null } {
  let state: string | null = null;
  let error: string | null = null;
  if (item.data) {
    try {
      const data = JSON.parse(item.data) as { actionState?: unknown; error?: unknown };
      if (typeof data.actionState === 'string') state = data.actionState;
      if (typeof data.error === 'string') error = data.error;
    } catch {
      // Not JSON: the summary alone decides.
    }
  }
  // The summary carries the target's error when the data does not.
  error ??= /Received error: "?(.*?)"?\s*$/.exec(item.summary)?.[1] ?? null;
  if (state === 'Succeeded' || /^Successfully executed action/i.test(item.summary))
    return { ok: true, error };
  if (state === 'Failed' || /^Failed to execute action/i.test(item.summary)) return { ok: false, error };
  return { ok: null, error };
}

/** Why an alarm's SNS action failed, from the error CloudWatch recorded. */
export function alarmFailureCause(error: string | null): CauseAndFix {
  const text = error ?? '';
  if (/KMS|encryption key/i.test(text)) {
    return {
      cause: "the topic's KMS key policy does not allow cloudwatch.amazonaws.com",
      fix: 'allow the service principal cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey* on the key that encrypts the topic',
    };
  }
  if (/AuthorizationError|not authorized|AccessDenied/i.test(text)) {
    return {
      cause: "the topic's access policy does not allow CloudWatch to publish",
      fix: 'allow the service principal cloudwatch.amazonaws.com sns:Publish in the topic policy (aws:SourceAccount your account)',
    };
  }
  if (/NotFound|does not exist/i.test(text)) {
    return {
      cause: "the alarm's action names a topic that does not exist",
      fix: 'redeploy the stack (cdk deploy) so the alarm points at its topic',
    };
  }
  return {
    cause: `the alarm action failed${error ? `: ${error}` : ''}`,
    fix: "read the alarm's history in the CloudWatch console (History tab, Action items) for the target's error",
  };
}

/** Why Slack rejected the message, from the status and detail the notifier recorded. */
export function slackFailureCause(status: string, detail: string | null): CauseAndFix {
  const text = detail ?? '';
  if (status === 'skipped') {
    return {
      cause: 'the stack has no Slack webhook configured, so the notifier skipped Slack',
      fix: 'deploy with a Slack webhook secret (slackWebhookSecret) holding the incoming-webhook URL',
    };
  }
  if (/no_service|404|invalid_token|403|channel_not_found|410|channel_is_archived/i.test(text)) {
    return {
      cause: `Slack rejected the webhook (${text})`,
      fix: 'the webhook was revoked or its channel is gone: create a new incoming webhook and put its URL in the secret',
    };
  }
  if (/invalid_blocks|invalid_payload|400/i.test(text)) {
    return {
      cause: `Slack rejected the message (${text})`,
      fix: 'a payload Slack refuses is a bug in OOM Responder: report it with this output',
    };
  }
  if (/secret|SecretsManager|ResourceNotFound/i.test(text)) {
    return {
      cause: `the notifier could not read the webhook secret (${text})`,
      fix: "check the secret exists and holds the webhook URL, and that the notifier's role may read it",
    };
  }
  return {
    cause: `Slack delivery ${status}${text ? `: ${text}` : ''}`,
    fix: "read the notify function's log for the attempt (its Slack status and error)",
  };
}
