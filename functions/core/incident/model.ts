import { drillInstanceKey } from '../drill/drill-marks';
import type { ContainerRef, Kill } from '../kernel-log';

/**
 * An incident is one response to one OOM event on one instance: the first kill, the kills that joined it within
 * the cooldown, and the history of the same process on the same instance. Identity (instance, process, memcg) is
 * kept apart from description, as alertmanager keeps labels apart from annotations.
 */
export type Severity = 'critical' | 'warning';

export type IncidentStatus = 'open' | 'responding' | 'notified' | 'failed';

/** How the instance was found from the log. `unresolved`: recorded and notified, nothing is sent to the host. */
export type InstanceResolution = 'stream-name' | 'hostname' | 'private-ip' | 'unresolved';

export interface InstanceRef {
  instanceId: string | null;
  /** The host name the kernel lines carried (syslog prefix or journald `_HOSTNAME`). */
  hostname: string | null;
  privateIp: string | null;
  instanceType: string | null;
  availabilityZone: string | null;
  /** The instance's `Name` tag, when EC2 told us. */
  name: string | null;
  resolvedBy: InstanceResolution;
}

/** An incident lists at most this many kills (its count stays exact): the record stays small in any crash loop. */
export const MAX_KILLS_LISTED = 50;

/** What is kept of each kill on the incident: enough to list them and to see RSS grow. */
export interface KillDigest {
  /** Dedupe key: host + pid + kernel time, or the log event id (see `killKey`). */
  key: string;
  time: string | null;
  kernelTime: number | null;
  pid: number | null;
  process: string | null;
  kind: Kill['kind'];
  /** Resident memory at the kill, anon + file + shmem, in KiB; null when the kill line printed none. */
  rssKb: number | null;
  anonRssKb: number | null;
  cgroup: boolean;
  memcg: string | null;
  systemdUnit: string | null;
  container: ContainerRef | null;
  /**
   * The cgroup the kernel killed whole (`memory.oom.group`), when this kill was one of its tasks; absent on kills
   * recorded before it was kept (read as null).
   */
  oomGroupMemcg?: string | null;
}

/** A kill of the same process on the same instance before this incident (the leak signal). */
export interface PriorKill {
  incidentId: string;
  time: string;
  pid: number | null;
  rssKb: number | null;
}

/**
 * Another incident of the same instance, as the store lists them (`incidentsOn`): enough to name it in a message
 * and link its workflow execution.
 */
export interface RelatedIncident {
  incidentId: string;
  /** When CloudWatch Logs received its first kill (UTC ISO 8601). */
  observedAt: string;
  /** Its first kill's process and pid (null when the kill named none, as systemd-oomd's do). */
  process: string | null;
  pid: number | null;
  killCount: number;
  /** Its response's Step Functions execution, once started. */
  executionArn: string | null;
  /**
   * Set when it is a memory-pressure warning rather than a kill (then `killCount` is 0 and `observedAt` is when the
   * instance crossed the alarm's threshold): the metric and the datapoint that crossed it, when known.
   */
  warning?: { metric: string | null; latestValue: number | null };
}

/** When many incidents start in one window, the notifier rolls them up: this says how many, as recorded. */
export interface StormContext {
  windowStartedAt: string;
  incidentsInWindow: number;
}

/**
 * Set when the detector built the incident's first kill from the lines the subscription delivered, without reading
 * its whole report back from the stream: the task table, memory summary or trigger may be missing, and the
 * message says so. `budget`: the invocation's GetLogEvents calls were spent; `deadline`: too little time was left;
 * `failed`: the read failed (throttled, denied, timed out), `detail` saying how.
 */
export interface ReportGap {
  reason: 'budget' | 'deadline' | 'failed';
  detail: string | null;
}

export interface IncidentSource {
  logGroup: string | null;
  logStream: string | null;
  accountId: string | null;
  region: string | null;
}

/**
 * How a channel stands for an incident: `sent`, `failed` (refused for good, or given up on), `unknown` (it may or
 * may not have gone out: never sent again), `skipped` (not configured), `rolled-up` (a storm rollup carried it),
 * `pending` (not yet: the notify step is retried for it).
 */
export type ChannelStatus = 'sent' | 'failed' | 'unknown' | 'skipped' | 'rolled-up' | 'pending';

/** What the notifier sent for an incident, and where: the incident record's answer to "who was told?". */
export interface NotificationRecord {
  at: string;
  slack: { status: ChannelStatus; detail: string | null };
  sns: { status: ChannelStatus; messageId: string | null; detail: string | null };
  /** The Amazon Q Developer message, when that format is on: a delivery of its own. */
  q?: { status: ChannelStatus; messageId: string | null; detail: string | null };
  /** In a storm: the incident whose rollup message listed this one, and that rollup's number in its window. */
  coveredBy?: { incidentId: string; rollup: number } | null;
}

/** The notifier's channels, each delivered and recorded on its own. */
export type NotifyChannel = 'sns' | 'slack' | 'q';

/**
 * One channel's delivery of one incident's message (or of the storm rollup it owns), recorded as it happens: a
 * `sending` claim (held by one invocation until `untilMs`, its deadline) before the send, the outcome after it.
 */
export interface ChannelDelivery {
  status: 'sending' | 'sent' | 'pending' | 'failed' | 'unknown';
  /** What the channel carries: the incident's own message, or the storm rollup this incident owns. */
  message: 'incident' | 'rollup';
  /** Invocations that tried this channel, this one included. */
  attempts: number;
  at: string;
  detail: string | null;
  messageId: string | null;
  /** The claim's holder (a random token per invocation) and its deadline, for `sending`. */
  token: string | null;
  untilMs: number | null;
}

export interface Incident {
  id: string;
  status: IncidentStatus;
  severity: Severity;
  instance: InstanceRef;
  /** The first kill in full, its task table trimmed to the largest rows. */
  firstKill: Kill;
  /** Every kill of the incident in order, the first included (capped; `killCount` is exact). */
  kills: KillDigest[];
  killCount: number;
  /** The first kill's time as the log printed it (may be the host's local time, without an offset). */
  openedAt: string;
  /** When CloudWatch Logs received the first kill (UTC ISO 8601): the clock the pipeline reasons with. */
  observedAt: string;
  updatedAt: string;
  history: PriorKill[];
  source: IncidentSource;
  /** Set when the first kill's full report was not read from its stream (see `ReportGap`). */
  reportGap?: ReportGap;
  /** Set when the first kill is a drill's synthetic report (`drillIdOf`): the pipeline changes nothing for it. */
  drill?: { id: string };
  storm: StormContext | null;
  /** Set once the notifier has told people: a retried notify step then sends nothing twice. */
  notification?: NotificationRecord;
  /** Each channel's delivery so far, recorded one by one: a retried notify step sends only what is missing. */
  deliveries?: Partial<Record<NotifyChannel, ChannelDelivery>>;
}

/**
 * The key incidents, kills and remediations of one instance are filed under: the instance id when it was
 * resolved, else the host the log named (two instances may share a host name, so this is a last resort).
 */
export function instanceKeyOf(instance: Pick<InstanceRef, 'instanceId'>, hostKey: string): string {
  return instance.instanceId ?? `host:${hostKey}`;
}

/**
 * The key an incident was filed under: `instanceKeyOf`, in a drill's own key space for a drill (`drillInstanceKey`),
 * so analysis and notify read the history, limits and related incidents the detector filed it with.
 */
export function incidentKeyOf(
  incident: Pick<Incident, 'instance' | 'firstKill' | 'source' | 'drill'>,
): string {
  return drillInstanceKey(instanceKeyOf(incident.instance, hostKeyOf(incident)), incident.drill);
}

/** The host key the detector filed an incident under: the kill's host name, else its log stream. */
export function hostKeyOf(incident: Pick<Incident, 'firstKill' | 'source'>): string {
  return incident.firstKill.hostname ?? incident.firstKill.logStream ?? incident.source.logStream ?? '';
}
