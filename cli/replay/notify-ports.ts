import type { SlackMessage } from '../../functions/core/render/slack-blocks';
import type { SnsNotification } from '../../functions/core/render/sns';
import type { SlackNotifier, SnsPublisher } from '../../functions/core/respond/notify-ports';

/**
 * The notifier's outbound ports for a replay. Slack is the real webhook adapter when a URL is given; otherwise
 * the message is printed. SNS is kept in memory: a replay never publishes to a topic, and the summary says so.
 */

/** Prints each Slack message instead of posting it: as its JSON payload (one line), or laid out for a terminal. */
export class PrintingSlackNotifier implements SlackNotifier {
  /** Messages printed, in order. */
  readonly printed: SlackMessage[] = [];

  constructor(private readonly print: (message: SlackMessage) => Promise<void>) {}

  async post(message: SlackMessage): ReturnType<SlackNotifier['post']> {
    this.printed.push(message);
    await this.print(message);
    return { ok: true };
  }
}

/** Keeps what would be published to the topic, for the summary. */
export class KeptSnsPublisher implements SnsPublisher {
  readonly kept: SnsNotification[] = [];

  async publish(notification: SnsNotification): Promise<{ messageId: string }> {
    this.kept.push(notification);
    return { messageId: `local-${this.kept.length}` };
  }
}

/** The Lambdas' telemetry, for a replay: warnings go to the progress stream, the rest is not needed. */
export interface ReplayTelemetry {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  count(metric: string, value?: number): void;
}

export function warningsTo(warn: (line: string) => void): ReplayTelemetry {
  return {
    info: () => {},
    warn: (message, fields) => {
      const detail = fields ? Object.entries(fields).map(([key, value]) => `${key}=${String(value)}`) : [];
      warn(`${message}${detail.length > 0 ? ` (${detail.join(', ')})` : ''}`);
    },
    count: () => {},
  };
}

/**
 * The notifier's telemetry for a replay. The deployed notifier warns "Slack did not take the message; SNS did"
 * when the topic took it; a replay's topic is a list in memory (`KeptSnsPublisher`), so that is said instead.
 */
export function replayNotifyTelemetry(telemetry: ReplayTelemetry): ReplayTelemetry {
  return {
    ...telemetry,
    warn: (message, fields) =>
      telemetry.warn(message.replace(/; SNS did$/, '; SNS: kept locally, not published'), fields),
  };
}
