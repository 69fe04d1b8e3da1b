import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { NotificationRecord } from '../../core/detect/ports';
import type { ChannelDelivery, Incident, NotifyChannel, RelatedIncident } from '../../core/incident/model';
import type { StormWindowStats } from '../../core/incident/storm-stats';
import type {
  DeliveryStore,
  StormRollupRecord,
  WarningDeliveries,
  WarningDeliveryStore,
} from '../../core/respond/notify-ports';
import { keyPart } from '../key-values';
import { conditional, type IncidentTableProps, readIncident } from './incident-table';
import { queryIndex } from './index-query';
import { DELIVERY_ATTRIBUTES, deliveriesOf, keys } from './items';

/** A storm window's rollups: one item per window, `ROLLUPS#<window>`, with the count and `r<n>` per rollup. */
const rollupKey = (window: string) => ({ pk: `ROLLUPS#${keyPart('storm window', window)}`, sk: 'ROLLUPS' });
/** Kept for a week: notify steps are retried for minutes, and the execution-ended path for up to six hours. */
const ROLLUPS_KEPT_SECONDS = 7 * 86_400;

/**
 * The notifier's part of the incident store: storm windows (GSI1), each channel's delivery as a conditional
 * UpdateItem of its own attribute (a claim before the send, the outcome after it), the storm window's rollups as
 * one item whose count is the condition, and the summary of what was sent where.
 */
export class DynamoNotificationStore implements DeliveryStore, WarningDeliveryStore {
  constructor(private readonly props: IncidentTableProps) {}

  /** The incident with its channels' deliveries, read consistently (a retry must see what went out). */
  getIncident(incidentId: string): Promise<Incident | null> {
    return readIncident(this.props, incidentId);
  }

  /**
   * A memory-pressure warning's deliveries, from its item (written by the pressure function under the same
   * `INCIDENT#<id>` key as an incident, so the claims and settles here apply to it unchanged).
   */
  async getWarning(incidentId: string): Promise<WarningDeliveries | null> {
    const result = await this.props.client.send(
      new GetCommand({
        TableName: this.props.tableName,
        Key: keys.incident(incidentId),
        ConsistentRead: true,
      }),
    );
    const item = result.Item;
    if (!item) return null;
    return {
      incidentId,
      ...deliveriesOf(item),
      ...(typeof item.notification === 'string'
        ? { notification: JSON.parse(item.notification) as NotificationRecord }
        : {}),
    };
  }

  /** The incidents opened in a storm window, in the order they opened, counted by process and by instance. */
  async stormWindow(window: string): Promise<StormWindowStats> {
    const items = await queryIndex(this.props, keys.stormPartition(window));
    const stats: StormWindowStats = { window, incidents: 0, byProcess: {}, byInstance: {}, incidentIds: [] };
    for (const item of items) {
      const process = typeof item.process === 'string' ? item.process : '?';
      const instance = typeof item.instanceKey === 'string' ? item.instanceKey : '?';
      stats.incidents++;
      if (typeof item.incidentId === 'string') stats.incidentIds.push(item.incidentId);
      stats.byProcess[process] = (stats.byProcess[process] ?? 0) + 1;
      stats.byInstance[instance] = (stats.byInstance[instance] ?? 0) + 1;
    }
    return stats;
  }

  /** The incidents of one instance received since `sinceMs` (GSI2), oldest first; memory-pressure warnings too. */
  async incidentsOn(instanceKey: string, sinceMs: number): Promise<RelatedIncident[]> {
    const items = await queryIndex(
      this.props,
      keys.instanceIncidentsPartition(instanceKey),
      new Date(sinceMs).toISOString(),
    );
    return items
      .filter((item) => typeof item.incidentId === 'string' && typeof item.observedAt === 'string')
      .map((item) => ({
        incidentId: String(item.incidentId),
        observedAt: String(item.observedAt),
        process: typeof item.process === 'string' && item.process !== '?' ? item.process : null,
        pid: typeof item.pid === 'number' ? item.pid : null,
        killCount: typeof item.killCount === 'number' ? item.killCount : 1,
        executionArn: typeof item.executionArn === 'string' ? item.executionArn : null,
        // A memory-pressure warning's item (the pressure function writes it on the same index).
        ...(item.kind === 'pressure'
          ? {
              killCount: 0,
              warning: {
                metric: typeof item.metric === 'string' ? item.metric : null,
                latestValue: typeof item.latestValue === 'number' ? item.latestValue : null,
              },
            }
          : {}),
      }));
  }

  claimDelivery(incidentId: string, channel: NotifyChannel, claim: ChannelDelivery): Promise<boolean> {
    return conditional(
      this.props.client,
      new UpdateCommand({
        TableName: this.props.tableName,
        Key: keys.incident(incidentId),
        UpdateExpression: 'SET #d = :claim',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#d) OR #d.#status = :pending)',
        ExpressionAttributeNames: { '#d': DELIVERY_ATTRIBUTES[channel], '#status': 'status' },
        ExpressionAttributeValues: { ':claim': claim, ':pending': 'pending' },
      }),
    );
  }

  settleDelivery(
    incidentId: string,
    channel: NotifyChannel,
    token: string,
    delivery: ChannelDelivery,
  ): Promise<boolean> {
    const sent = delivery.status === 'sent';
    return conditional(
      this.props.client,
      new UpdateCommand({
        TableName: this.props.tableName,
        Key: keys.incident(incidentId),
        // The first channel that carries the message makes the incident notified.
        UpdateExpression: `SET #d = :delivery, updatedAt = :at${sent ? ', #status = :notified' : ''}`,
        ConditionExpression: '#d.#token = :token',
        // DynamoDB refuses a name or value placeholder the expressions do not use.
        ExpressionAttributeNames: {
          '#d': DELIVERY_ATTRIBUTES[channel],
          '#token': 'token',
          ...(sent ? { '#status': 'status' } : {}),
        },
        ExpressionAttributeValues: {
          ':delivery': delivery,
          ':at': delivery.at,
          ':token': token,
          ...(sent ? { ':notified': 'notified' } : {}),
        },
      }),
    );
  }

  async stormRollups(window: string): Promise<StormRollupRecord[]> {
    const result = await this.props.client.send(
      new GetCommand({ TableName: this.props.tableName, Key: rollupKey(window), ConsistentRead: true }),
    );
    const item = result.Item ?? {};
    const count = typeof item.rollups === 'number' ? item.rollups : 0;
    const rollups: StormRollupRecord[] = [];
    for (let seq = 1; seq <= count; seq++) {
      const rollup = item[`r${seq}`] as StormRollupRecord | undefined;
      if (rollup) rollups.push({ ...rollup, covers: [...rollup.covers] });
    }
    return rollups;
  }

  claimRollup(window: string, rollup: StormRollupRecord): Promise<boolean> {
    const first = rollup.seq === 1;
    return conditional(
      this.props.client,
      new UpdateCommand({
        TableName: this.props.tableName,
        Key: rollupKey(window),
        UpdateExpression: 'SET #count = :seq, #r = :rollup, expiresAt = if_not_exists(expiresAt, :expires)',
        // The count is the lock: two invocations that read the same rollups cannot both add the next one.
        ConditionExpression: first ? 'attribute_not_exists(#count)' : '#count = :previous',
        ExpressionAttributeNames: { '#count': 'rollups', '#r': `r${rollup.seq}` },
        ExpressionAttributeValues: {
          ':seq': rollup.seq,
          ':rollup': rollup,
          ':expires': Math.floor(Date.parse(window) / 1000) + ROLLUPS_KEPT_SECONDS,
          ...(first ? {} : { ':previous': rollup.seq - 1 }),
        },
      }),
    );
  }

  async recordNotification(incidentId: string, notification: NotificationRecord): Promise<void> {
    await this.props.client.send(
      new UpdateCommand({
        TableName: this.props.tableName,
        Key: keys.incident(incidentId),
        UpdateExpression: 'SET notification = :n, #status = :notified, updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':n': JSON.stringify(notification),
          ':notified': 'notified',
          ':at': notification.at,
        },
      }),
    );
  }
}
