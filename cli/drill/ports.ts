/**
 * What `oom-responder drill` needs from AWS, as plain data: the drill's use case (`run-drill.ts`) sees only this
 * interface, so it runs against in-memory fakes in tests and against the SDK adapter (`aws-drill-ports.ts`) for real.
 */

/** The deployed stack's resources the drill writes to and reads from. */
export interface DrillStack {
  stackName: string;
  kernelLogGroup: string | null;
  tableName: string | null;
  stateMachineArn: string | null;
  topicArn: string | null;
  /** The stack's CloudWatch alarms (names), the first of which the alarm-delivery check sets. */
  alarmNames: string[];
  /** The tag instances carry to be managed by the pipeline. */
  instanceTag: { key: string; value: string };
}

/** The incident the detector recorded for the drill, as far as the drill follows it. */
export interface DrillIncident {
  id: string;
  executionArn: string | null;
  /** The notifier's record once it ran; null before. */
  notification: {
    sns: { status: string; messageId: string | null; detail: string | null };
    slack: { status: string; detail: string | null };
  } | null;
}

/** One state of the workflow as its history shows it. */
export interface DrillStage {
  name: string;
  enteredAtMs: number;
  exitedAtMs: number | null;
  failed: boolean;
}

export interface DrillExecution {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  stages: DrillStage[];
  error: string | null;
  cause: string | null;
}

/** One `Action` item of an alarm's history. */
export interface AlarmActionItem {
  atMs: number;
  summary: string;
  /** `HistoryData` as CloudWatch gives it (JSON text with `actionState` and `error`), or null. */
  data: string | null;
}

/** The AWS calls of a drill, each one SDK call or a short sequence of them. */
export interface DrillPorts {
  /** The stack's outputs and resources, or null when there is no such stack. */
  findStack(stackName: string): Promise<DrillStack | null>;
  /** The instance's tags, or null when there is no such instance. */
  instanceTags(instanceId: string): Promise<Record<string, string> | null>;
  /** Write the report's lines into the log group, on the stream (created when missing). */
  writeReport(logGroup: string, stream: string, lines: string[], atMs: number): Promise<void>;
  /** The drill's incident among the incidents filed under `instanceKey` since `sinceIso`, or null. */
  findIncident(
    tableName: string,
    instanceKey: string,
    sinceIso: string,
    drillId: string,
  ): Promise<DrillIncident | null>;
  execution(executionArn: string): Promise<DrillExecution>;
  setAlarmState(alarmName: string, state: 'ALARM' | 'OK', reason: string): Promise<void>;
  alarmActions(alarmName: string, sinceMs: number): Promise<AlarmActionItem[]>;
}

/** Time, injected so tests follow a drill without waiting. */
export interface DrillClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}
