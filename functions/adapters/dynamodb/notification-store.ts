import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { NotificationRecord, NotificationStore } from '../../core/detect/ports';
import type { Incident } from '../../core/incident/model';
import type { StormWindowStats } from '../../core/incident/storm-stats';
import { type IncidentTableProps, readIncident } from './incident-table';
import { queryIndex } from './index-query';
import { keys } from './items';

/** The notifier's part of the incident store: storm windows (GSI1) and what was sent where. */
export class DynamoNotificationStore implements NotificationStore {
  constructor(private readonly props: IncidentTableProps) {}

  getIncident(incidentId: string): Promise<Incident | null> {
    return readIncident(this.props, incidentId);
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
