import type { RecordedAction } from '../../core/detect/ports';
import type {
  ChannelDelivery,
  Incident,
  KillDigest,
  NotificationRecord,
  NotifyChannel,
} from '../../core/incident/model';
import type { Kill } from '../../core/kernel-log';
import type { PressureIncident } from '../../core/pressure/ports';
import { keyPart } from '../key-values';

/**
 * The single-table layout. Every item has `pk`, `sk` and `expiresAt` (epoch seconds, the table's TTL attribute).
 * | item | pk | sk | gsi1pk | gsi1sk |
 * |---|---|---|---|---|
 * | a kill (its dedupe key) | `KILL#<kill key>` | `KILL` | `HISTORY#<instance key>#<process>` | `<ISO time>#<kill key>` |
 * | an instance's open incident (cooldown) | `INSTANCE#<instance key>` | `OPEN` | | |
 * | an incident | `INCIDENT#<id>` | `INCIDENT` | `STORM#<ISO window start>` | `<observed at>#<id>` |
 * |  (and on GSI2) | | | gsi2pk `INCIDENTS#<instance key>` | gsi2sk `<observed at>#<id>` |
 * | an instance's last memory-pressure warning (cooldown) | `INSTANCE#<instance key>` | `PRESSURE` | | |
 * | a pressure incident (`kind: 'pressure'`, on GSI2 only) | `INCIDENT#<id>` | `INCIDENT` | | |
 * | a remediation sent to an instance | `ACTIONS#<instance key>` | `<ISO time>#<action>#<incident id>` | | |
 * GSI1 answers "kills of this process on this instance since T" (the leak signal) and "incidents opened in this
 * storm window"; it projects only the attributes those answers need (`GSI1_ATTRIBUTES`). GSI2 answers "incidents of
 * this instance since T" (the message links an instance's incidents to each other), with `GSI2_ATTRIBUTES`: a
 * pressure incident is listed there too, told apart by `kind` and described by its metric and latest value.
 */
export const GSI1 = 'gsi1';
export const GSI1_ATTRIBUTES = ['incidentId', 'time', 'pid', 'rssKb', 'process', 'instanceKey'] as const;
export const GSI2 = 'gsi2';
export const GSI2_ATTRIBUTES = [
  'incidentId',
  'observedAt',
  'process',
  'pid',
  'killCount',
  'executionArn',
  'kind',
  'metric',
  'latestValue',
] as const;

/**
 * Every key the store reads or writes, built here only. Each builder refuses an empty id (`EmptyKeyValueError`)
 * and never yields an empty key attribute: DynamoDB rejects those in items and in key conditions alike, which
 * dynalite does not check. A query that wants a whole partition names the partition alone (`...Partition`),
 * never a sort key bound of `''`.
 */
export const keys = {
  kill: (killKey: string) => ({ pk: `KILL#${keyPart('kill key', killKey)}`, sk: 'KILL' }),
  open: (instanceKey: string) => ({ pk: `INSTANCE#${keyPart('instance key', instanceKey)}`, sk: 'OPEN' }),
  pressure: (instanceKey: string) => ({
    pk: `INSTANCE#${keyPart('instance key', instanceKey)}`,
    sk: 'PRESSURE',
  }),
  incident: (id: string) => ({ pk: `INCIDENT#${keyPart('incident id', id)}`, sk: 'INCIDENT' }),
  actionsPartition: (instanceKey: string) => ({ pk: `ACTIONS#${keyPart('instance key', instanceKey)}` }),
  action: (instanceKey: string, action: RecordedAction) => ({
    ...keys.actionsPartition(instanceKey),
    sk: `${action.at}#${action.action}#${keyPart('incident id', action.incidentId)}`,
  }),
  historyPartition: (instanceKey: string, process: string) => ({
    gsi1pk: `HISTORY#${keyPart('instance key', instanceKey)}#${process}`,
  }),
  history: (instanceKey: string, process: string, time: string, killKey: string) => ({
    ...keys.historyPartition(instanceKey, process),
    gsi1sk: `${time}#${keyPart('kill key', killKey)}`,
  }),
  instanceIncidentsPartition: (instanceKey: string) => ({
    gsi2pk: `INCIDENTS#${keyPart('instance key', instanceKey)}`,
  }),
  instanceIncident: (instanceKey: string, observedAt: string, incidentId: string) => ({
    ...keys.instanceIncidentsPartition(instanceKey),
    gsi2sk: `${keyPart('observed at', observedAt)}#${keyPart('incident id', incidentId)}`,
  }),
  stormPartition: (window: string) => ({ gsi1pk: `STORM#${keyPart('storm window', window)}` }),
  storm: (window: string, observedAt: string, incidentId: string) => ({
    ...keys.stormPartition(window),
    gsi1sk: `${observedAt}#${keyPart('incident id', incidentId)}`,
  }),
};

/**
 * An incident item: the document as JSON (it nests the parsed kill and its task table, which DynamoDB would only
 * make harder to read), with the fields that updates touch kept as attributes of their own.
 */
export function incidentItem(
  incident: Incident,
  instanceKey: string,
  expiresAt: number,
): Record<string, unknown> {
  const { kills, killCount, status, ...document } = incident;
  return {
    ...keys.incident(incident.id),
    document: JSON.stringify(document),
    kills: kills.map((digest) => JSON.stringify(digest)),
    killCount,
    status,
    instanceKey,
    incidentId: incident.id,
    process: incident.firstKill.process ?? '?',
    ...(incident.firstKill.pid === null ? {} : { pid: incident.firstKill.pid }),
    observedAt: incident.observedAt,
    // Filed under its instance on GSI2, so an instance's incidents can be listed (and linked) together.
    ...keys.instanceIncident(instanceKey, incident.observedAt, incident.id),
    openedAt: incident.openedAt,
    updatedAt: incident.updatedAt,
    expiresAt,
  };
}

/**
 * A pressure incident's item: under `INCIDENT#<id>` like a kill's, so the notifier's delivery claims and records
 * work on it unchanged, and on GSI2 under its instance (by the time of the warning), so a kill's message lists the
 * warning that came before it. Never in a storm window: a storm counts kills. Its fields are attributes of their
 * own (there is no nested kill to keep as JSON); `kind` tells it from a kill incident.
 */
export function pressureIncidentItem(
  incident: PressureIncident,
  instanceKey: string,
  expiresAt: number,
): Record<string, unknown> {
  const { id, kind, latestValue, threshold, metric, ...rest } = incident;
  return {
    ...keys.incident(id),
    ...rest,
    kind,
    incidentId: id,
    instanceKey,
    // The notifier's related-incident query reads `observedAt` and `killCount` of every GSI2 item.
    observedAt: incident.warnedAt,
    killCount: 0,
    status: 'open',
    // An unknown figure is left out rather than stored as NULL: readers take its absence for unknown.
    ...(metric === null ? {} : { metric }),
    ...(latestValue === null ? {} : { latestValue }),
    ...(threshold === null ? {} : { threshold }),
    ...keys.instanceIncident(instanceKey, incident.warnedAt, id),
    updatedAt: incident.openedAt,
    expiresAt,
  };
}

/** Each channel's delivery is an attribute of its own on the incident item, so each is written by itself. */
export const DELIVERY_ATTRIBUTES: Record<NotifyChannel, string> = {
  sns: 'delivery_sns',
  slack: 'delivery_slack',
  q: 'delivery_q',
};

export function incidentFromItem(item: Record<string, unknown>): Incident {
  const document = JSON.parse(String(item.document)) as Omit<Incident, 'kills' | 'killCount' | 'status'>;
  const kills = Array.isArray(item.kills) ? item.kills.map((k) => JSON.parse(String(k)) as KillDigest) : [];
  return {
    ...document,
    firstKill: withMemoryBreakdown(withOrigin(document.firstKill)),
    kills,
    killCount: typeof item.killCount === 'number' ? item.killCount : kills.length,
    status: (item.status as Incident['status']) ?? 'open',
    updatedAt: typeof item.updatedAt === 'string' ? item.updatedAt : document.updatedAt,
    ...(typeof item.notification === 'string'
      ? { notification: JSON.parse(item.notification) as NotificationRecord }
      : {}),
    ...deliveriesOf(item),
  };
}

/** Incidents recorded before kills carried their origin read as the least trusted one. */
function withOrigin(kill: Kill): Kill {
  if ((kill as Partial<Kill>).origin !== undefined) return kill;
  return { ...kill, origin: 'text', kernelOnly: false };
}

/** The memory fields a kill gained with the report's breakdown; incidents recorded before read them as not printed. */
const MEMORY_FIELDS = [
  'memswUsageKb',
  'memswLimitKb',
  'kmemUsageKb',
  'kmemLimitKb',
  'memcgSwapUsageKb',
  'memcgSwapLimitKb',
  'memcgStats',
  'memInfo',
  'oomGroupMemcg',
] as const satisfies readonly (keyof Kill)[];

function withMemoryBreakdown(kill: Kill): Kill {
  const stored = kill as Partial<Kill>;
  if (MEMORY_FIELDS.every((field) => stored[field] !== undefined)) return kill;
  const filled: Kill = { ...kill };
  for (const field of MEMORY_FIELDS) if (stored[field] === undefined) filled[field] = null;
  return filled;
}

/** The channels' delivery attributes of an item (an incident's or a warning's). */
export function deliveriesOf(item: Record<string, unknown>): Pick<Incident, 'deliveries'> {
  const deliveries: Partial<Record<NotifyChannel, ChannelDelivery>> = {};
  for (const [channel, attribute] of Object.entries(DELIVERY_ATTRIBUTES) as [NotifyChannel, string][]) {
    const value = item[attribute];
    if (value && typeof value === 'object') deliveries[channel] = value as ChannelDelivery;
  }
  return Object.keys(deliveries).length > 0 ? { deliveries } : {};
}
