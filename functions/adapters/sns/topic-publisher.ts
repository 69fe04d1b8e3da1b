import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SnsNotification } from '../../core/render/sns';
import type { SnsPublisher } from '../../core/respond/notify-ports';

/**
 * Publishes to the topic as String messages (SNS delivers message attributes only with the String structure, so
 * subscription filter policies keep working): readable text with `severity`, `instance`, `process` and `format`
 * attributes.
 */
export class TopicPublisher implements SnsPublisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(
    notification: SnsNotification,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ messageId: string }> {
    const result = await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: notification.subject,
        Message: notification.message,
        MessageAttributes: notification.messageAttributes,
      }),
      // The SDK's own retries (throttling, 5xx) stop at the notify step's deadline too.
      options.signal ? { abortSignal: options.signal } : {},
    );
    return { messageId: result.MessageId ?? '' };
  }
}
