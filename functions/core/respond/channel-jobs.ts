import type { ChannelJob, DeliveryContext } from './channel-delivery';
import type { Messages } from './notify-messages';
import type { SlackNotifier, SnsPublisher } from './notify-ports';

/** Kept at the end of every invocation for writing what happened and answering: no send may run into it. */
export const RESERVE_MS = 5_000;

/**
 * One job per channel for `messages`: SNS text, Slack when a webhook is configured, the Amazon Q message when
 * there is one. Each send ends by the invocation's deadline less `RESERVE_MS`, and says whether what failed may
 * have gone out (`unknown`), may be tried again (`pending`) or never will (`failed`).
 */
export function channelJobs(
  messages: Messages,
  ports: { sns: SnsPublisher; slack: SlackNotifier | null },
  ctx: DeliveryContext,
): ChannelJob[] {
  const budget = () => ctx.deadlineMs - RESERVE_MS - ctx.nowMs();
  const publish =
    (notification: Messages['sns']): ChannelJob['send'] =>
    async () => {
      const signal = AbortSignal.timeout(Math.max(1, budget()));
      try {
        const { messageId } = await ports.sns.publish(notification, { signal });
        return { status: 'sent', messageId };
      } catch (error) {
        const { name, message } = error as Error;
        // Aborted by this invocation's deadline after the request was made: SNS may have taken it.
        if (signal.aborted) return { status: 'unknown', detail: `SNS did not answer in time (${name})` };
        return { status: 'pending', detail: `SNS: ${name}: ${String(message).slice(0, 200)}` };
      }
    };
  const jobs: ChannelJob[] = [{ channel: 'sns', message: messages.kind, send: publish(messages.sns) }];
  const slack = ports.slack;
  if (slack) {
    jobs.push({
      channel: 'slack',
      message: messages.kind,
      send: async () => {
        const posted = await slack.post(messages.slack, { budgetMs: budget() });
        if (posted.ok) return { status: 'sent', messageId: null };
        const status = posted.uncertain ? 'unknown' : posted.retryable ? 'pending' : 'failed';
        return { status, detail: posted.detail };
      },
    });
  }
  if (messages.q) jobs.push({ channel: 'q', message: messages.kind, send: publish(messages.q) });
  return jobs;
}
