import type { SlackMessage } from '../render/slack-blocks';
import type { SnsNotification } from '../render/sns';

/** Where a notification goes; adapters over Slack's webhook and SNS. */
export interface SlackNotifier {
  /** Post once. Resolves with what happened; never throws and never puts the webhook URL in `detail`. */
  post(message: SlackMessage): Promise<{ ok: true } | { ok: false; detail: string; retryable: boolean }>;
}

export interface SnsPublisher {
  /** Publish one String message with its attributes; rejects on failure (the workflow retries the notify step). */
  publish(notification: SnsNotification): Promise<{ messageId: string }>;
}

export interface NotifyTelemetry {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  count(metric: string, value?: number): void;
}
