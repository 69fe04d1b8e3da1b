import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  KillRecorder,
  KillToRecord,
  RecordKillsRequest,
  RecordKillsResult,
} from '../../core/detect/ports';
import { uniqueKills } from '../../core/detect/unique-kills';
import { type Incident, type KillDigest, MAX_KILLS_LISTED } from '../../core/incident/model';
import { checkRecordKillsKeys } from '../key-values';
import { type IncidentTableProps, readIncident } from './incident-table';
import { incidentItem, keys } from './items';
import { type TransactItem, TransactionContendedError, transactWrite } from './transact-write';

/** DynamoDB's limit on the actions of one TransactWriteItems call. */
const MAX_TRANSACT_ITEMS = 100;

/**
 * The detector's part of the incident store (see `items.ts` for the layout). Every write is a transaction that
 * puts kill items (each `attribute_not_exists`, so a kill is written once) together with what counts them, so no
 * crash, retry or concurrent delivery can count a kill twice or lose one:
 * - opening: the instance's open-incident marker, the incident (counting its kills) and its first kills, in one
 *   transaction; the marker can never point at an incident that does not exist, and a kill that joins the
 *   incident always finds it;
 * - joining (the marker names another incident inside its cooldown, or the group's own incident exists already:
 *   a retry or a second delivery of this batch): the incident's `killCount` and listed kills, updated in the same
 *   transaction as the kills' items.
 * Kills already written are dropped from the transaction (they are the duplicates) and it is sent again. The
 * common path is one call; 10,000 kills take about 100 (98 or 99 kills a call).
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
    const { unique, repeated } = uniqueKills(request.kills);
    const tally: Tally = { recorded: [], duplicates: [...repeated], existingIncidentId: null };
    const [first] = unique;
    if (!first) return { incidentId: null, opened: false, executionArn: null, ...tally };
    let opening = await this.open(request, first, unique, tally);
    if (opening.kind !== 'none') {
      const joined = await this.join(request, opening, tally);
      if (joined.kind === 'stale') {
        // The marker named an incident that is gone (its item expired before the marker did): take the
        // instance over, as if nothing were open.
        const staleId = opening.incidentId;
        opening = await this.open(request, first, joined.rest, tally, staleId);
        if (opening.kind !== 'none' && (await this.join(request, opening, tally)).kind === 'stale') {
          throw new TransactionContendedError(
            `incident ${opening.incidentId} vanished while kills joined it`,
          );
        }
      }
    }
    if (opening.kind === 'none') {
      // Every kill was recorded before, by an earlier try of this batch or another delivery of it.
      const incidentId = tally.existingIncidentId;
      const executionArn = incidentId ? await this.executionArnOf(incidentId) : null;
      return { incidentId, opened: false, executionArn, ...tally };
    }
    if (opening.kind === 'opened') {
      return { incidentId: opening.incidentId, opened: true, executionArn: null, ...tally };
    }
    const executionArn =
      opening.executionArn === undefined
        ? await this.executionArnOf(opening.incidentId)
        : opening.executionArn;
    return { incidentId: opening.incidentId, opened: false, executionArn, ...tally };
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

  /**
   * Open the group's incident: claim the instance (no incident open, its cooldown over, already ours, or the
   * named `staleId`), create the incident and write its first kills, all or nothing. When the instance is taken,
   * or our incident exists already, say which incident the kills join instead.
   */
  private async open(
    request: RecordKillsRequest,
    first: KillToRecord,
    kills: KillToRecord[],
    tally: Tally,
    staleId?: string,
  ): Promise<Opening> {
    const ownId = request.incident.id;
    let pending = kills;
    for (let round = 1; pending.length > 0; round++) {
      // Each round either writes, or drops duplicates, or finds the instance taken; a marker that keeps
      // vanishing between rounds is contention to retry later, not a loop to spin in.
      if (round > 10)
        throw new TransactionContendedError(`could not claim ${request.instanceKey} in 10 rounds`);
      const batch = pending.slice(0, MAX_TRANSACT_ITEMS - 2);
      const digests = batch.map((kill) => kill.digest);
      const listed = digests.slice(0, MAX_KILLS_LISTED);
      const incident: Incident = { ...request.incident, kills: listed, killCount: batch.length };
      const outcome = await transactWrite(this.client, [
        {
          Put: {
            TableName: this.table,
            Item: {
              ...keys.open(request.instanceKey),
              incidentId: ownId,
              cooldownUntilMs: first.observedAtMs + request.cooldownMs,
              expiresAt: request.expiresAt,
            },
            ConditionExpression:
              'attribute_not_exists(pk) OR cooldownUntilMs <= :first OR incidentId IN (:own, :stale)',
            ExpressionAttributeValues: {
              ':first': first.observedAtMs,
              ':own': ownId,
              ':stale': staleId ?? ownId,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          Put: {
            TableName: this.table,
            Item: {
              ...incidentItem(incident, request.instanceKey, request.expiresAt),
              // Sorted by when CloudWatch received the kill (UTC, the clock the window is cut by), not by the
              // time the host printed, which may be its local time: the window lists incidents as they opened.
              ...keys.storm(request.stormWindow, incident.observedAt, incident.id),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        ...batch.map((kill) => this.putKill(request, ownId, kill)),
      ]);
      if (outcome.ok) {
        tally.recorded.push(...digests);
        return {
          kind: 'opened',
          incidentId: ownId,
          listed: listed.length,
          rest: pending.slice(batch.length),
        };
      }
      const [marker, existing, ...killReasons] = outcome.reasons;
      pending = this.dropRecorded(pending, batch, killReasons, tally);
      if (existing?.failed) {
        // Our incident exists: an earlier try of this group, or another delivery of it, opened it.
        // Its item came back with the cancellation: whether its response started is known without a read.
        const executionArn = existing.item ? stringOf(existing.item.executionArn) : undefined;
        return { kind: 'joined', incidentId: ownId, executionArn, rest: pending };
      }
      if (marker?.failed) {
        const openId = stringOf(marker.item?.incidentId) ?? (await this.openIncidentOf(request.instanceKey));
        if (openId === null) continue; // The marker went away meanwhile: claim it again.
        return { kind: 'joined', incidentId: openId, executionArn: undefined, rest: pending };
      }
    }
    return { kind: 'none' };
  }

  /** Add `kills` to an incident that exists, each transaction counting exactly the kills it writes. */
  private async join(
    request: RecordKillsRequest,
    into: Exclude<Opening, { kind: 'none' }>,
    tally: Tally,
  ): Promise<{ kind: 'done' } | { kind: 'stale'; rest: KillToRecord[] }> {
    const { incidentId } = into;
    let pending = into.rest;
    // How many kills the incident lists, as far as we know: a wrong guess costs one call, and is corrected.
    let listedCount = into.kind === 'opened' ? into.listed : 0;
    while (pending.length > 0) {
      const batch = pending.slice(0, MAX_TRANSACT_ITEMS - 1);
      const digests = batch.map((kill) => kill.digest);
      const toList = digests.slice(0, Math.max(0, MAX_KILLS_LISTED - listedCount));
      const outcome = await transactWrite(this.client, [
        { Update: this.countKills(incidentId, digests.length, toList) },
        ...batch.map((kill) => this.putKill(request, incidentId, kill)),
      ]);
      if (outcome.ok) {
        tally.recorded.push(...digests);
        listedCount += toList.length;
        pending = pending.slice(batch.length);
        continue;
      }
      const [incident, ...killReasons] = outcome.reasons;
      pending = this.dropRecorded(pending, batch, killReasons, tally);
      if (incident?.failed) {
        if (!incident.item) return { kind: 'stale', rest: pending };
        // The list filled up (or held more than we thought): count on, listing only what still fits.
        const kills = incident.item.kills;
        listedCount = Array.isArray(kills) ? kills.length : MAX_KILLS_LISTED;
      }
    }
    return { kind: 'done' };
  }

  /** The update that counts `n` kills on an incident and lists `toList` of them while its list has room. */
  private countKills(
    incidentId: string,
    n: number,
    toList: KillDigest[],
  ): NonNullable<TransactItem['Update']> {
    const now = new Date().toISOString();
    if (toList.length === 0) {
      return {
        TableName: this.table,
        Key: keys.incident(incidentId),
        UpdateExpression: 'SET updatedAt = :now ADD killCount :n',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':n': n, ':now': now },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      };
    }
    return {
      TableName: this.table,
      Key: keys.incident(incidentId),
      UpdateExpression: 'SET kills = list_append(kills, :digests), updatedAt = :now ADD killCount :n',
      ConditionExpression: 'attribute_exists(pk) AND size(kills) <= :room',
      ExpressionAttributeValues: {
        ':n': n,
        ':now': now,
        ':digests': toList.map((digest) => JSON.stringify(digest)),
        ':room': MAX_KILLS_LISTED - toList.length,
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }

  /** The kill's item, written once; its GSI1 keys file it under the history of its process on the instance. */
  private putKill(request: RecordKillsRequest, incidentId: string, kill: KillToRecord): TransactItem {
    const time = new Date(kill.observedAtMs).toISOString();
    return {
      Put: {
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
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }

  /**
   * `pending` without the kills of `batch` whose item exists already (their condition failed): those are
   * duplicates, filed under the incident their item names.
   */
  private dropRecorded(
    pending: KillToRecord[],
    batch: KillToRecord[],
    reasons: readonly ({ failed: boolean; item: Record<string, unknown> | null } | undefined)[],
    tally: Tally,
  ): KillToRecord[] {
    const recorded = new Set<string>();
    batch.forEach((kill, index) => {
      const reason = reasons[index];
      if (!reason?.failed) return;
      recorded.add(kill.digest.key);
      tally.duplicates.push(kill.digest);
      tally.existingIncidentId ??= stringOf(reason.item?.incidentId);
    });
    return recorded.size === 0 ? pending : pending.filter((kill) => !recorded.has(kill.digest.key));
  }

  private async openIncidentOf(instanceKey: string): Promise<string | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.table, Key: keys.open(instanceKey), ConsistentRead: true }),
    );
    return stringOf(result.Item?.incidentId);
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
    return stringOf(result.Item?.executionArn);
  }
}

interface Tally {
  recorded: KillDigest[];
  duplicates: KillDigest[];
  /** The incident the first duplicate belongs to: the answer when every kill was a duplicate. */
  existingIncidentId: string | null;
}

type Opening =
  | { kind: 'opened'; incidentId: string; listed: number; rest: KillToRecord[] }
  /** `executionArn` undefined: not known without reading the incident. */
  | { kind: 'joined'; incidentId: string; executionArn: string | null | undefined; rest: KillToRecord[] }
  | { kind: 'none' };

function stringOf(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
