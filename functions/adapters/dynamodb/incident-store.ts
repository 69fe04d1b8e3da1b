import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  IncidentStore,
  KillToRecord,
  RecordKillsRequest,
  RecordKillsResult,
} from '../../core/detect/ports';
import type { Incident, KillDigest, PriorKill } from '../../core/incident/model';
import type { StormWindowStats } from '../../core/incident/storm-stats';
import { MAX_KILLS_LISTED } from '../memory/incident-store';
import { GSI1, incidentFromItem, incidentItem, keys } from './items';

export interface DynamoIncidentStoreProps {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * The incident store on one DynamoDB table (see `items.ts` for the layout). Recording a group of kills of one
 * instance takes conditional writes in an order that a retry can always finish:
 * 1. claim the instance's open-incident marker for the group's incident (new, expired, or already ours), or learn
 *    which incident is open within the cooldown;
 * 2. write each kill's key with `attribute_not_exists`: a duplicate is dropped;
 * 3. create the incident (or, when it exists, add the new kills to it).
 * A fresh incident costs three writes; its kills' items also serve the history (through GSI1), and the incident
 * item serves the storm window's count, so neither needs a write of its own.
 */
export class DynamoIncidentStore implements IncidentStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(props: DynamoIncidentStoreProps) {
    this.client = props.client;
    this.table = props.tableName;
  }

  async history(instanceKey: string, process: string, sinceMs: number): Promise<PriorKill[]> {
    const items = await this.queryAll(
      keys.historyIndex(instanceKey, process),
      new Date(sinceMs).toISOString(),
    );
    return items.map((item) => ({
      incidentId: String(item.incidentId),
      time: String(item.time),
      pid: typeof item.pid === 'number' ? item.pid : null,
      rssKb: typeof item.rssKb === 'number' ? item.rssKb : null,
    }));
  }

  async recordKills(request: RecordKillsRequest): Promise<RecordKillsResult> {
    const [first] = request.kills;
    if (!first) return { incidentId: null, opened: false, executionArn: null, recorded: [], duplicates: [] };
    const ownId = request.incident.id;
    const incidentId = (await this.claim(request, first))
      ? ownId
      : await this.openIncidentOf(request.instanceKey);
    const target = incidentId ?? ownId;
    const recorded: KillDigest[] = [];
    const duplicates: KillDigest[] = [];
    for (const kill of request.kills) {
      if (await this.putKill(request, target, kill)) recorded.push(kill.digest);
      else duplicates.push(kill.digest);
    }
    let opened = false;
    if (target === ownId) {
      // Every kill of the group belongs to our incident, whether written now or by an earlier try of this
      // same group that stopped before the incident was created.
      opened = await this.createIncident(
        request,
        request.kills.map((k) => k.digest),
      );
      if (!opened && recorded.length > 0) await this.addKills(target, recorded);
    } else if (recorded.length > 0) {
      await this.addKills(target, recorded);
    }
    const executionArn = opened ? null : await this.executionArnOf(target);
    return { incidentId: target, opened, executionArn, recorded, duplicates };
  }

  async markExecutionStarted(incidentId: string, executionArn: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.incident(incidentId),
        UpdateExpression: 'SET executionArn = :arn, #status = :responding',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':arn': executionArn, ':responding': 'responding' },
      }),
    );
  }

  async getIncident(incidentId: string): Promise<Incident | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.table, Key: keys.incident(incidentId), ConsistentRead: true }),
    );
    return result.Item ? incidentFromItem(result.Item) : null;
  }

  /** The incidents opened in a storm window, counted by process and by instance. */
  async stormWindow(window: string): Promise<StormWindowStats> {
    const items = await this.queryAll(keys.stormIndex(window), '');
    const stats: StormWindowStats = { window, incidents: 0, byProcess: {}, byInstance: {} };
    for (const item of items) {
      const process = typeof item.process === 'string' ? item.process : '?';
      const instance = typeof item.instanceKey === 'string' ? item.instanceKey : '?';
      stats.incidents++;
      stats.byProcess[process] = (stats.byProcess[process] ?? 0) + 1;
      stats.byInstance[instance] = (stats.byInstance[instance] ?? 0) + 1;
    }
    return stats;
  }

  /** Claim the instance for our incident: no incident open, its cooldown over, or already ours (a retry). */
  private async claim(request: RecordKillsRequest, first: KillToRecord): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.open(request.instanceKey),
          incidentId: request.incident.id,
          cooldownUntilMs: first.observedAtMs + request.cooldownMs,
          expiresAt: request.expiresAt,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR cooldownUntilMs <= :first OR incidentId = :own',
        ExpressionAttributeValues: { ':first': first.observedAtMs, ':own': request.incident.id },
      }),
    );
  }

  private async openIncidentOf(instanceKey: string): Promise<string | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.table, Key: keys.open(instanceKey), ConsistentRead: true }),
    );
    return typeof result.Item?.incidentId === 'string' ? result.Item.incidentId : null;
  }

  /** The kill's key, written once; its GSI1 keys file it under the history of its process on the instance. */
  private putKill(request: RecordKillsRequest, incidentId: string, kill: KillToRecord): Promise<boolean> {
    const time = new Date(kill.observedAtMs).toISOString();
    return this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.kill(kill.digest.key),
          ...keys.historyIndex(request.instanceKey, kill.digest.process ?? '?', `${time}#${kill.digest.key}`),
          incidentId,
          time,
          pid: kill.digest.pid,
          rssKb: kill.digest.rssKb,
          expiresAt: request.expiresAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  private createIncident(request: RecordKillsRequest, digests: KillDigest[]): Promise<boolean> {
    const incident: Incident = {
      ...request.incident,
      kills: digests.slice(0, MAX_KILLS_LISTED),
      killCount: digests.length,
    };
    return this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...incidentItem(incident, request.instanceKey, request.expiresAt),
          ...keys.stormIndex(request.stormWindow, `${incident.openedAt}#${incident.id}`),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Count new kills on an incident; list them while the list has room (the item stays far below 400 KB). */
  private async addKills(incidentId: string, digests: KillDigest[]): Promise<void> {
    const values = { ':n': digests.length, ':now': new Date().toISOString() };
    const listed = await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.incident(incidentId),
        UpdateExpression: 'SET kills = list_append(kills, :digests), updatedAt = :now ADD killCount :n',
        ConditionExpression: 'attribute_exists(pk) AND size(kills) <= :room',
        ExpressionAttributeValues: {
          ...values,
          ':digests': digests.map((digest) => JSON.stringify(digest)),
          ':room': MAX_KILLS_LISTED - digests.length,
        },
      }),
    );
    if (listed) return;
    await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.incident(incidentId),
        UpdateExpression: 'SET updatedAt = :now ADD killCount :n',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: values,
      }),
    );
  }

  private async executionArnOf(incidentId: string): Promise<string | null> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.incident(incidentId),
        ProjectionExpression: 'executionArn',
        ConsistentRead: true,
      }),
    );
    return typeof result.Item?.executionArn === 'string' ? result.Item.executionArn : null;
  }

  /** Send a conditional write: true when written, false when its condition did not hold. */
  private async conditional(command: PutCommand | UpdateCommand): Promise<boolean> {
    try {
      await this.client.send(command as PutCommand);
      return true;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      ) {
        return false;
      }
      throw error;
    }
  }

  private async queryAll(
    index: { gsi1pk: string },
    sinceSortKey: string,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: GSI1,
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
          ExpressionAttributeValues: { ':pk': index.gsi1pk, ':since': sinceSortKey },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start && items.length < 10_000);
    return items;
  }
}
