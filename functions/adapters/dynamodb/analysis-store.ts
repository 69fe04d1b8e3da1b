import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AnalysisStore, RecordedAction } from '../../core/detect/ports';
import type { Incident, PriorKill } from '../../core/incident/model';
import { type IncidentTableProps, readIncident } from './incident-table';
import { queryIndex } from './index-query';
import { keys } from './items';

/** The analysis' part of the incident store: history (GSI1), and the remediations sent to each instance. */
export class DynamoAnalysisStore implements AnalysisStore {
  constructor(private readonly props: IncidentTableProps) {}

  getIncident(incidentId: string): Promise<Incident | null> {
    return readIncident(this.props, incidentId);
  }

  async history(instanceKey: string, process: string, sinceMs: number): Promise<PriorKill[]> {
    const items = await queryIndex(
      this.props,
      keys.historyPartition(instanceKey, process),
      new Date(sinceMs).toISOString(),
    );
    return items.map((item) => ({
      incidentId: String(item.incidentId),
      time: String(item.time),
      pid: typeof item.pid === 'number' ? item.pid : null,
      rssKb: typeof item.rssKb === 'number' ? item.rssKb : null,
    }));
  }

  async recentActions(instanceKey: string, sinceMs: number): Promise<RecordedAction[]> {
    const result = await this.props.client.send(
      new QueryCommand({
        TableName: this.props.tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :since',
        ExpressionAttributeValues: {
          ':pk': keys.actionsPartition(instanceKey).pk,
          ':since': new Date(sinceMs).toISOString(),
        },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map((item) => ({
      action: item.action as RecordedAction['action'],
      incidentId: String(item.incidentId),
      at: String(item.at),
    }));
  }

  async recordAction(instanceKey: string, action: RecordedAction, expiresAt: number): Promise<void> {
    await this.props.client.send(
      new PutCommand({
        TableName: this.props.tableName,
        Item: {
          ...keys.action(instanceKey, action),
          ...action,
          expiresAt,
        },
      }),
    );
  }
}
