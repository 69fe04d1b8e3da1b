import type { PressureWorkflowInput } from '../workflow/pressure-state';

/**
 * A pressure incident: one memory-pressure warning on one instance (a contributor of an early-warning alarm gone
 * into ALARM), recorded before anything is sent so that the notifier's "earlier incidents of this instance" and a
 * kill that follows can find it. Its identity is the event's (alarm, contributor, time): the same event delivered
 * twice is the same incident.
 */
export interface PressureIncident {
  id: string;
  kind: 'pressure';
  instanceId: string;
  alarmName: string;
  alarmArn: string;
  /** CloudWatch's id of the contributor's time series. */
  contributorId: string;
  metric: PressureWorkflowInput['metric'];
  latestValue: number | null;
  threshold: number | null;
  /** When the contributor went into ALARM (ISO 8601, UTC): the incident's time on the instance's timeline. */
  warnedAt: string;
  /** CloudWatch's reason, as it wrote it (bounded). */
  reason: string;
  /** The pressure workflow's execution (its name is the incident id, so it is known before the start). */
  executionArn: string;
  /** When this pipeline recorded it. */
  openedAt: string;
}

export interface RecordWarningRequest {
  /** What the instance's items are filed under (`instanceKeyOf`: the instance id). */
  instanceKey: string;
  incident: PressureIncident;
  /** The warning's time (epoch ms), from which the cooldown runs. */
  warnedAtMs: number;
  cooldownMs: number;
  /** Epoch seconds: the table's TTL for the incident and the cooldown marker. */
  expiresAt: number;
}

/**
 * What recording a warning found: a new incident (`recorded`), this very warning recorded before (`duplicate`: a
 * second delivery or a retry, whose workflow start is then repeated, harmlessly), or another warning of the same
 * instance within its cooldown (`cooling`), which is the one on-call already has.
 */
export type RecordWarningResult =
  | { outcome: 'recorded' }
  | { outcome: 'duplicate' }
  | { outcome: 'cooling'; incidentId: string; cooldownUntilMs: number };

/** The pressure function's part of the incident store. */
export interface PressureStore {
  /** The cooldown claim and the incident, in one atomic write. */
  recordWarning(request: RecordWarningRequest): Promise<RecordWarningResult>;
}

/** Starts the pressure workflow; starting an execution that exists already is not an error. */
export interface PressureWorkflowStarter {
  start(
    name: string,
    input: PressureWorkflowInput,
  ): Promise<{ executionArn: string; alreadyStarted: boolean }>;
}

export type PressureMetric =
  | 'PressureWarnings'
  | 'PressureWarningsIgnored'
  | 'PressureWarningsMuted'
  | 'PressureWarningsCoolingDown'
  | 'DuplicatePressureWarnings'
  | 'MalformedPressureEvents'
  | 'PressureWorkflowsStarted';

/** Structured logs and metrics, as Powertools provides them. */
export interface PressureTelemetry {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  count(metric: PressureMetric, value?: number): void;
}

export interface PressurePorts {
  store: PressureStore;
  workflow: PressureWorkflowStarter;
  telemetry: PressureTelemetry;
  now: () => Date;
}

/** The pressure function's tunables. */
export interface PressureConfig {
  /** A second warning on an instance within this time of the first is not answered again. @default 60 min */
  cooldownMs: number;
  /** Items expire from the incident table after this. @default 30 days */
  retentionMs: number;
  /** The pressure state machine, for the execution ARN recorded with the incident. */
  stateMachineArn: string;
}

export const DEFAULT_PRESSURE_COOLDOWN_MS = 60 * 60_000;
