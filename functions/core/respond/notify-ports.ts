import type { NotificationStore } from '../detect/ports';
import type { ChannelDelivery, NotificationRecord, NotifyChannel } from '../incident/model';
import type { SlackMessage } from '../render/slack-blocks';
import type { SnsNotification } from '../render/sns';

/** What one Slack post came to. `uncertain`: Slack may have posted it (a timeout after sending): never re-sent. */
export type SlackPostResult =
  | { ok: true }
  | { ok: false; detail: string; retryable: boolean; uncertain?: boolean };

/** Where a notification goes; adapters over Slack's webhook and SNS. */
export interface SlackNotifier {
  /**
   * Post once. Resolves with what happened; never throws and never puts the webhook URL in `detail`. With
   * `budgetMs`, every attempt and every wait (a 429's Retry-After, a 5xx backoff) ends inside it: what does not
   * fit is answered as retryable, for a later invocation.
   */
  post(message: SlackMessage, options?: { budgetMs?: number }): Promise<SlackPostResult>;
}

export interface SnsPublisher {
  /** Publish one String message with its attributes; rejects on failure, or when `signal` aborts it. */
  publish(notification: SnsNotification, options?: { signal?: AbortSignal }): Promise<{ messageId: string }>;
}

export interface NotifyTelemetry {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  count(metric: string, value?: number): void;
}

/** One storm rollup of a window: its number (1, 2, …), the incident whose notify step sends it, and whom it lists. */
export interface StormRollupRecord {
  seq: number;
  owner: string;
  covers: string[];
  atMs: number;
}

/**
 * The notifier's store: the incident, its storm window, and the per-channel delivery records that make each
 * channel's send happen once. Every write here is conditional; `false` means the condition did not hold (another
 * invocation got there first), never a failure, which rejects.
 */
export interface DeliveryStore extends NotificationStore {
  /**
   * Claim a channel before sending on it: only when it has no delivery yet or only a retryable (`pending`) one. The
   * claim is a `sending` delivery holding `token` until `untilMs`, the claiming invocation's deadline.
   */
  claimDelivery(incidentId: string, channel: NotifyChannel, claim: ChannelDelivery): Promise<boolean>;
  /**
   * Record how a claimed channel ended (`sent`, `pending`, `failed`, `unknown`), only while the claim is still
   * `token`'s. A `sent` channel also marks the incident notified.
   */
  settleDelivery(
    incidentId: string,
    channel: NotifyChannel,
    token: string,
    delivery: ChannelDelivery,
  ): Promise<boolean>;
  /** The storm rollups of a window (ISO window start), by number. */
  stormRollups(window: string): Promise<StormRollupRecord[]>;
  /** Add rollup `rollup.seq` to its window, only if the window has exactly `rollup.seq - 1` rollups so far. */
  claimRollup(window: string, rollup: StormRollupRecord): Promise<boolean>;
}

/** A memory-pressure warning's notification state, as its item holds it: each channel's delivery, and the summary. */
export interface WarningDeliveries {
  incidentId: string;
  deliveries?: Partial<Record<NotifyChannel, ChannelDelivery>>;
  notification?: NotificationRecord;
}

/**
 * The notifier's store for a warning: the same per-channel claims and settles as an incident's (one attribute per
 * channel on the warning's own item), so a retried step sends only what is missing, and the same summary record.
 */
export interface WarningDeliveryStore
  extends Pick<DeliveryStore, 'claimDelivery' | 'settleDelivery' | 'recordNotification'> {
  /** The warning's deliveries, read consistently; null when the pressure function recorded no such warning. */
  getWarning(incidentId: string): Promise<WarningDeliveries | null>;
}
