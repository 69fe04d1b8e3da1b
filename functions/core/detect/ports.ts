import type {
  Incident,
  InstanceRef,
  KillDigest,
  NotificationRecord,
  PriorKill,
  RelatedIncident,
} from '../incident/model';
import type { Provenance } from '../incident/provenance';
import type { StormWindowStats } from '../incident/storm-stats';
import type { Kill } from '../kernel-log';

/**
 * The ports the detector talks through. The Lambda wires AWS adapters to them; the CLI's replay and the tests wire
 * in-memory ones. None of them is allowed to lose an incident: a failure either degrades (context, instance) or
 * is thrown as retryable so Lambda's async retry runs the idempotent detector again.
 */

/** One log event of a stream, as GetLogEvents returns it. */
export interface StreamEvent {
  timestamp: number;
  message: string;
}

export interface LogContextReader {
  /**
   * Events of one stream with `startMs <= timestamp < endMs`, oldest first, bounded (may be incomplete). A reader
   * may stop early once it has read an event at or after `coverMs`: a report's lines come before its kill line.
   */
  readWindow(request: {
    logGroup: string;
    logStream: string;
    startMs: number;
    endMs: number;
    coverMs: number;
  }): Promise<StreamEvent[]>;
}

export interface InstanceHints {
  logStream: string | null;
  hostname: string | null;
}

export interface InstanceDirectory {
  /** Find the EC2 instance a log came from; `resolvedBy: 'unresolved'` when it cannot be told for sure. */
  resolve(hints: InstanceHints): Promise<InstanceRef>;
}

export interface KillToRecord {
  kill: Kill;
  digest: KillDigest;
  /** When CloudWatch Logs received the kill (epoch ms): the clock cooldowns and history use. */
  observedAtMs: number;
}

/**
 * Kills of one instance close together in time, recorded as one unit: duplicates (same key) are dropped; the rest
 * open `incident` when the instance has no incident inside its cooldown, or join the open one.
 */
export interface RecordKillsRequest {
  instanceKey: string;
  kills: KillToRecord[];
  /** The incident to open if none is open; its first kill is `kills[0]`. */
  incident: Incident;
  cooldownMs: number;
  /** Epoch seconds after which the items expire (DynamoDB TTL). */
  expiresAt: number;
  /** The storm window this incident would count in (ISO start of the window). */
  stormWindow: string;
}

export interface RecordKillsResult {
  /** The incident the new kills were recorded in (opened or joined); for all-duplicate input, the one they had. */
  incidentId: string | null;
  opened: boolean;
  /** Set when the incident's response workflow is known to have started. */
  executionArn: string | null;
  recorded: KillDigest[];
  duplicates: KillDigest[];
}

/** What every stage reads: an incident by id. */
export interface IncidentReader {
  getIncident(incidentId: string): Promise<Incident | null>;
}

/** The detector's part of the incident store. */
export interface KillRecorder extends IncidentReader {
  recordKills(request: RecordKillsRequest): Promise<RecordKillsResult>;
  markExecutionStarted(incidentId: string, executionArn: string): Promise<void>;
}

/** The analysis' part: the leak signal and the remediation limits. */
export interface AnalysisStore extends IncidentReader {
  /** Kills of `process` on `instanceKey` observed at or after `sinceMs`, oldest first. */
  history(instanceKey: string, process: string, sinceMs: number): Promise<PriorKill[]>;
  /** Remediations sent to an instance at or after `sinceMs` (what the per-hour limits count). */
  recentActions(instanceKey: string, sinceMs: number): Promise<RecordedAction[]>;
  /** Remember a remediation as it is sent, before it runs, so a lost result still counts against the limit. */
  recordAction(instanceKey: string, action: RecordedAction, expiresAt: number): Promise<void>;
}

/** The notifier's part: storm windows and the record of what was sent where. */
export interface NotificationStore extends IncidentReader {
  /** The incidents opened in a storm window (ISO window start), counted by process and by instance. */
  stormWindow(window: string): Promise<StormWindowStats>;
  /** The incidents opened on `instanceKey` (received at or after `sinceMs`), oldest first, bounded. */
  incidentsOn(instanceKey: string, sinceMs: number): Promise<RelatedIncident[]>;
  /** Remember what was sent where about an incident; marks it notified. */
  recordNotification(incidentId: string, notification: NotificationRecord): Promise<void>;
}

/**
 * The whole store. Each Lambda gets only its part (and its role only the DynamoDB actions of that part); the
 * in-memory store and the tests use the whole.
 */
export interface IncidentStore extends KillRecorder, AnalysisStore, NotificationStore {}

export interface RecordedAction {
  action: 'add-swap' | 'restart-service';
  incidentId: string;
  /** ISO 8601, UTC. */
  at: string;
}

export type { NotificationRecord } from '../incident/model';

/** What the response workflow is started with: small, and enough for its first SSM call. */
export interface WorkflowInput {
  incidentId: string;
  instanceId: string | null;
  /** ISO 8601 time of the first kill, for `journalctl --since` on the host. */
  killTime: string;
  pid: string;
  process: string;
  unit: string;
  memcgPath: string;
  /** The comm as hex of its bytes, for the host to find the kill in its own kernel log (`processHexOf`). */
  processHex: string;
  /** Seconds since boot as the kernel stamped the kill, or ''. */
  kernelTime: string;
  /** `kernel` or `systemd-oomd`: which log on the host confirms the kill. */
  killer: string;
  /** From the CLI (a sample or a demo), or the detector's `drill` label for a drill; a live kill has none. */
  provenance?: Provenance;
  /** Set for a drill's synthetic report: nothing is changed on the host. */
  drill?: { id: string };
}

export interface WorkflowStarter {
  /** Start the response for an incident; starting one that already runs is not an error. */
  start(name: string, input: WorkflowInput): Promise<{ executionArn: string; alreadyStarted: boolean }>;
}

/** Structured logging and metrics, as Powertools provides them; the use case only needs this much. */
export interface DetectTelemetry {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  count(metric: DetectMetric, value?: number): void;
}

export type DetectMetric =
  | 'KillsDetected'
  | 'IncidentsOpened'
  | 'DuplicateKills'
  | 'JoinedKills'
  | 'UnresolvedHosts'
  | 'MalformedPayloads'
  | 'ContextFetchFailures'
  | 'WorkflowsStarted';
