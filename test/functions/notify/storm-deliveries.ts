import { WebhookSlackNotifier } from '../../../functions/adapters/slack/webhook-notifier';
import type { NotifyPorts } from '../../../functions/core/respond/notify-incident';
import type { SnsPublisher } from '../../../functions/core/respond/notify-ports';
import type { Delivery } from '../../support/fault-matrix';
import type { FakeSlack } from '../../support/slack-server';
import type { FakeClock } from './workflow-retries';

/** An incident id as the detector makes them (`incidentId` in functions/core/incident/build.ts). */
const INCIDENT_ID = /oom-(?:\d{8}T\d{6}|unknown)-[0-9a-f]{16}/g;

/** The incidents one message tells about: every id it names, once (a link and its label name it twice). */
export function idsIn(message: unknown): string[] {
  return [...new Set(JSON.stringify(message).match(INCIDENT_ID) ?? [])];
}

/**
 * What reached people: every SNS message published (by format) and every Slack post Slack may have posted (2xx,
 * and a request it never answered: it may have been posted, so it counts, the strict reading for duplicates).
 */
export function deliveriesOf(
  slack: FakeSlack,
  published: readonly { message: unknown; format: string }[],
): Delivery[] {
  const posts = slack.requests.filter(
    (r) => r.answered === 'hang' || (typeof r.answered === 'number' && r.answered >= 200 && r.answered < 300),
  );
  return [
    ...posts.map((r): Delivery => ({ channel: 'slack', incidentIds: idsIn(r.body) })),
    ...published.map(
      (p): Delivery => ({
        channel: p.format === 'q-developer' ? 'q-developer' : 'sns',
        incidentIds: idsIn(p.message),
      }),
    ),
  ];
}

/** An SNS topic that keeps what it took, and fails as a test says. */
export class FaultySns implements SnsPublisher {
  readonly published: { message: string; subject: string; format: string }[] = [];
  /** Fails the next `n` publishes of a format ('text', 'q-developer', or any with '*'). */
  failures: { format: string; remaining: number; error: () => Error }[] = [];

  async publish(notification: Parameters<SnsPublisher['publish']>[0]): Promise<{ messageId: string }> {
    const format = notification.messageAttributes.format?.StringValue ?? 'text';
    const failure = this.failures.find((f) => f.remaining > 0 && (f.format === '*' || f.format === format));
    if (failure) {
      failure.remaining--;
      throw failure.error();
    }
    this.published.push({ message: notification.message, subject: notification.subject, format });
    return { messageId: `sns-${this.published.length}` };
  }
}

/** An AWS-shaped error, as the SDK throws them. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

/** Notify ports on the fake clock: the real Slack adapter on loopback, waiting on the clock, never for real. */
export function clockPorts(
  base: Pick<NotifyPorts, 'store' | 'telemetry'>,
  slack: FakeSlack,
  sns: SnsPublisher,
  clock: FakeClock,
  remainingMs: () => number,
  slackTimeoutMs = 5_000,
): NotifyPorts {
  return {
    ...base,
    sns,
    slack: new WebhookSlackNotifier({
      webhookUrl: async () => slack.url,
      now: () => clock.ms,
      sleep: clock.sleep,
      timeoutMs: slackTimeoutMs,
    }),
    now: clock.now,
    sleep: clock.sleep,
    remainingMs,
  };
}
