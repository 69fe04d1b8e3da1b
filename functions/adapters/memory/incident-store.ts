import type {
  IncidentStore,
  NotificationRecord,
  RecordedAction,
  RecordKillsRequest,
  RecordKillsResult,
} from '../../core/detect/ports';
import { uniqueKills } from '../../core/detect/unique-kills';
import {
  type ChannelDelivery,
  type Incident,
  type KillDigest,
  MAX_KILLS_LISTED,
  type NotifyChannel,
  type PriorKill,
  type RelatedIncident,
} from '../../core/incident/model';
import type { StormWindowStats } from '../../core/incident/storm-stats';
import type { DeliveryStore, StormRollupRecord } from '../../core/respond/notify-ports';
import { checkRecordKillsKeys, keyPart } from '../key-values';

/**
 * The incident store in memory, with the same semantics as the DynamoDB one (the shared contract tests run
 * against both): for the CLI's replay and for use-case tests. Not durable, single process. It refuses an empty id
 * where the DynamoDB store does (`EmptyKeyValueError`), so it is never kinder than DynamoDB.
 */
export class MemoryIncidentStore implements IncidentStore, DeliveryStore {
  private readonly kills = new Map<string, string>();
  private readonly open = new Map<string, { incidentId: string; cooldownUntilMs: number }>();
  private readonly incidents = new Map<
    string,
    { incident: Incident; executionArn: string | null; instanceKey: string }
  >();
  private readonly histories = new Map<string, PriorKill[]>();
  private readonly storms = new Map<string, StormWindowStats>();
  private readonly actions = new Map<string, RecordedAction[]>();
  /** What the notifier recorded per incident (for the CLI's summary and tests). */
  readonly notifications = new Map<string, NotificationRecord>();
  private readonly rollups = new Map<string, StormRollupRecord[]>();

  async history(instanceKey: string, process: string, sinceMs: number): Promise<PriorKill[]> {
    keyPart('instance key', instanceKey);
    return (this.histories.get(`${instanceKey}\n${process}`) ?? []).filter(
      (k) => Date.parse(k.time) >= sinceMs,
    );
  }

  async recordKills(request: RecordKillsRequest): Promise<RecordKillsResult> {
    checkRecordKillsKeys(request);
    const { unique, repeated } = uniqueKills(request.kills);
    const fresh = unique.filter((k) => !this.kills.has(k.digest.key));
    const duplicates = [
      ...repeated,
      ...unique.filter((k) => this.kills.has(k.digest.key)).map((k) => k.digest),
    ];
    const [first] = fresh;
    if (!first) {
      const incidentId = duplicates[0] ? (this.kills.get(duplicates[0].key) ?? null) : null;
      const executionArn = incidentId ? (this.incidents.get(incidentId)?.executionArn ?? null) : null;
      return { incidentId, opened: false, executionArn, recorded: [], duplicates };
    }
    const digests = fresh.map((k) => k.digest);
    const current = this.open.get(request.instanceKey);
    // As in DynamoDB: the cooldown is measured from the group's first kill, duplicate or not.
    const [groupFirst = first] = unique;
    let incidentId: string;
    let opened = false;
    if (this.incidents.has(request.incident.id)) {
      // Our incident exists: an earlier try of this group, or another delivery of it, opened it.
      incidentId = request.incident.id;
      this.addKills(incidentId, digests);
    } else if (
      !current ||
      current.cooldownUntilMs <= groupFirst.observedAtMs ||
      !this.incidents.has(current.incidentId)
    ) {
      incidentId = request.incident.id;
      opened = true;
      this.open.set(request.instanceKey, {
        incidentId,
        cooldownUntilMs: groupFirst.observedAtMs + request.cooldownMs,
      });
      this.incidents.set(incidentId, {
        incident: {
          ...request.incident,
          kills: digests.slice(0, MAX_KILLS_LISTED),
          killCount: digests.length,
        },
        executionArn: null,
        instanceKey: request.instanceKey,
      });
      this.countStorm(request, first.digest);
    } else {
      incidentId = current.incidentId;
      this.addKills(incidentId, digests);
    }
    for (const kill of fresh) {
      this.kills.set(kill.digest.key, incidentId);
      if (kill.digest.process === null) continue;
      const key = `${request.instanceKey}\n${kill.digest.process}`;
      const prior: PriorKill = {
        incidentId,
        time: new Date(kill.observedAtMs).toISOString(),
        pid: kill.digest.pid,
        rssKb: kill.digest.rssKb,
      };
      const list = this.histories.get(key);
      if (list) list.push(prior);
      else this.histories.set(key, [prior]);
    }
    const executionArn = this.incidents.get(incidentId)?.executionArn ?? null;
    return { incidentId, opened, executionArn, recorded: digests, duplicates };
  }

  private addKills(incidentId: string, digests: KillDigest[]): void {
    const entry = this.incidents.get(incidentId);
    if (!entry) return;
    const kills = [...entry.incident.kills, ...digests].slice(0, MAX_KILLS_LISTED);
    entry.incident = { ...entry.incident, kills, killCount: entry.incident.killCount + digests.length };
  }

  async markExecutionStarted(incidentId: string, executionArn: string): Promise<void> {
    keyPart('incident id', incidentId);
    const entry = this.incidents.get(incidentId);
    if (!entry) return;
    entry.executionArn = executionArn;
    entry.incident = { ...entry.incident, status: 'responding' };
  }

  async getIncident(incidentId: string): Promise<Incident | null> {
    keyPart('incident id', incidentId);
    return this.incidents.get(incidentId)?.incident ?? null;
  }

  async recentActions(instanceKey: string, sinceMs: number): Promise<RecordedAction[]> {
    keyPart('instance key', instanceKey);
    return (this.actions.get(instanceKey) ?? []).filter((action) => Date.parse(action.at) >= sinceMs);
  }

  async recordAction(instanceKey: string, action: RecordedAction): Promise<void> {
    keyPart('instance key', instanceKey);
    keyPart('incident id', action.incidentId);
    this.actions.set(instanceKey, [...(this.actions.get(instanceKey) ?? []), action]);
  }

  async recordNotification(incidentId: string, notification: NotificationRecord): Promise<void> {
    keyPart('incident id', incidentId);
    this.notifications.set(incidentId, notification);
    const entry = this.incidents.get(incidentId);
    if (entry) entry.incident = { ...entry.incident, status: 'notified', notification };
  }

  async claimDelivery(incidentId: string, channel: NotifyChannel, claim: ChannelDelivery): Promise<boolean> {
    keyPart('incident id', incidentId);
    const entry = this.incidents.get(incidentId);
    const current = entry?.incident.deliveries?.[channel];
    if (!entry || (current && current.status !== 'pending')) return false;
    this.setDelivery(entry, channel, claim);
    return true;
  }

  async settleDelivery(
    incidentId: string,
    channel: NotifyChannel,
    token: string,
    delivery: ChannelDelivery,
  ): Promise<boolean> {
    keyPart('incident id', incidentId);
    const entry = this.incidents.get(incidentId);
    if (!entry || entry.incident.deliveries?.[channel]?.token !== token) return false;
    this.setDelivery(entry, channel, delivery);
    if (delivery.status === 'sent') entry.incident = { ...entry.incident, status: 'notified' };
    return true;
  }

  async stormRollups(window: string): Promise<StormRollupRecord[]> {
    keyPart('storm window', window);
    return (this.rollups.get(window) ?? []).map((rollup) => ({ ...rollup, covers: [...rollup.covers] }));
  }

  async claimRollup(window: string, rollup: StormRollupRecord): Promise<boolean> {
    keyPart('storm window', window);
    const rollups = this.rollups.get(window) ?? [];
    if (rollups.length !== rollup.seq - 1) return false;
    this.rollups.set(window, [...rollups, { ...rollup, covers: [...rollup.covers] }]);
    return true;
  }

  private setDelivery(
    entry: { incident: Incident },
    channel: NotifyChannel,
    delivery: ChannelDelivery,
  ): void {
    entry.incident = {
      ...entry.incident,
      deliveries: { ...entry.incident.deliveries, [channel]: { ...delivery } },
    };
  }

  async incidentsOn(instanceKey: string, sinceMs: number): Promise<RelatedIncident[]> {
    keyPart('instance key', instanceKey);
    return [...this.incidents.values()]
      .filter(
        (entry) => entry.instanceKey === instanceKey && Date.parse(entry.incident.observedAt) >= sinceMs,
      )
      .sort((a, b) => (a.incident.observedAt < b.incident.observedAt ? -1 : 1))
      .map(({ incident, executionArn }) => ({
        incidentId: incident.id,
        observedAt: incident.observedAt,
        process: incident.firstKill.process,
        pid: incident.firstKill.pid,
        killCount: incident.killCount,
        executionArn,
      }));
  }

  async stormWindow(window: string): Promise<StormWindowStats> {
    keyPart('storm window', window);
    return (
      this.storms.get(window) ?? { window, incidents: 0, byProcess: {}, byInstance: {}, incidentIds: [] }
    );
  }

  private countStorm(request: RecordKillsRequest, digest: KillDigest): void {
    const stats = this.storms.get(request.stormWindow) ?? {
      window: request.stormWindow,
      incidents: 0,
      byProcess: {},
      byInstance: {},
      incidentIds: [],
    };
    stats.incidents++;
    stats.incidentIds.push(request.incident.id);
    const process = digest.process ?? '?';
    stats.byProcess[process] = (stats.byProcess[process] ?? 0) + 1;
    stats.byInstance[request.instanceKey] = (stats.byInstance[request.instanceKey] ?? 0) + 1;
    this.storms.set(request.stormWindow, stats);
  }
}
