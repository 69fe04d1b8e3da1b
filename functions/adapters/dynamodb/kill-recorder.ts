import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  KillRecorder,
  KillToRecord,
  RecordKillsRequest,
  RecordKillsResult,
} from '../../core/detect/ports';
import { type Incident, type KillDigest, MAX_KILLS_LISTED } from '../../core/incident/model';
import { checkRecordKillsKeys } from '../key-values';
import { conditional, type IncidentTableProps, readIncident } from './incident-table';
import { incidentItem, keys } from './items';

/**
 * The detector's part of the incident store (see `items.ts` for the layout). Recording a group of kills of one
 * instance takes conditional writes in an order that a retry can always finish:
 * 1. claim the instance's open-incident marker for the group's incident (new, expired, or already ours), or learn
 *    which incident is open within the cooldown;
 * 2. write each kill's key with `attribute_not_exists`: a duplicate is dropped;
 * 3. create the incident (or, when it exists, add the new kills to it).
 * A fresh incident costs three writes; its kills' items also serve the history (through GSI1), and the incident
 * item serves the storm window's count, so neither needs a write of its own.
 */
export class DynamoKillRecorder implements KillRecorder {
  private readonly client: IncidentTableProps['client'];
  private readonly table: string;

  constructor(private readonly props: IncidentTableProps) {
    this.client = props.client;
    this.table = props.tableName;
  }

  async recordKills(request: RecordKillsRequest): Promise<RecordKillsResult> {
    checkRecordKillsKeys(request);
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

  getIncident(incidentId: string): Promise<Incident | null> {
    return readIncident(this.props, incidentId);
  }

  /** Claim the instance for our incident: no incident open, its cooldown over, or already ours (a retry). */
  private async claim(request: RecordKillsRequest, first: KillToRecord): Promise<boolean> {
    return conditional(
      this.client,
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
    return conditional(
      this.client,
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.kill(kill.digest.key),
          ...keys.history(request.instanceKey, kill.digest.process ?? '?', time, kill.digest.key),
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
    return conditional(
      this.client,
      new PutCommand({
        TableName: this.table,
        Item: {
          ...incidentItem(incident, request.instanceKey, request.expiresAt),
          // Sorted by when CloudWatch received the kill (UTC, the clock the window is cut by), not by the time
          // the host printed, which may be its local time: the window lists incidents in the order they opened.
          ...keys.storm(request.stormWindow, incident.observedAt, incident.id),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Count new kills on an incident; list them while the list has room (the item stays far below 400 KB). */
  private async addKills(incidentId: string, digests: KillDigest[]): Promise<void> {
    const values = { ':n': digests.length, ':now': new Date().toISOString() };
    const listed = await conditional(
      this.client,
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
    await conditional(
      this.client,
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
}
