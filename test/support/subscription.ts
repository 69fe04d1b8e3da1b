import { readFileSync } from 'node:fs';
import {
  encodeSubscriptionEvent,
  type SubscriptionBatch,
} from '../../functions/core/cloudwatch/subscription-payload';
import type {
  DetectMetric,
  DetectTelemetry,
  WorkflowInput,
  WorkflowStarter,
} from '../../functions/core/detect/ports';
import { KERNEL_CORPUS } from './corpus';

/**
 * A real syslog report (the kernel's OOM report on this project's CI kernel, written by rsyslog) as the lines
 * a CloudWatch agent ships: `host` and the time are rewritten per test so that many instances can report.
 */
export function reportLines(host = 'ip-10-0-1-5'): string[] {
  return readFileSync(`${KERNEL_CORPUS}transports/captured-6.18-rsyslog-imklog-rfc3164.log`, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => line.replace(' vm kernel: ', ` ${host} kernel: `));
}

/** Only lines matching the deployed subscription filter reach the detector. */
export { matchesSubscriptionFilter as matchesFilter } from '../../functions/core/detect/filter-terms';

let nextId = 1n;

/** A DATA_MESSAGE batch of one stream, one log event per line, `stepMs` apart from `startMs`. */
export function batchOf(
  lines: string[],
  options: { logStream: string; startMs: number; stepMs?: number; logGroup?: string },
): SubscriptionBatch {
  return {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: options.logGroup ?? '/oom-responder/kernel',
    logStream: options.logStream,
    subscriptionFilters: ['oom-responder'],
    logEvents: lines.map((message, i) => ({
      id: String(37516444594218164406966592290412038135079041373000990720n + nextId++),
      timestamp: options.startMs + i * (options.stepMs ?? 1),
      message,
    })),
  };
}

export function subscriptionEvent(batch: SubscriptionBatch): { awslogs: { data: string } } {
  return encodeSubscriptionEvent(batch);
}

/** Telemetry that remembers what the use case logged and counted. */
export function recordingTelemetry(): DetectTelemetry & {
  counts: Map<DetectMetric, number>;
  lines: { level: string; message: string; fields: Record<string, unknown> }[];
} {
  const counts = new Map<DetectMetric, number>();
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  return {
    counts,
    lines,
    info: (message, fields = {}) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields = {}) => lines.push({ level: 'warn', message, fields }),
    count: (metric, value = 1) => counts.set(metric, (counts.get(metric) ?? 0) + value),
  };
}

/** A workflow starter that starts every execution it is asked to and remembers each input, in order. */
export function recordingWorkflow(): WorkflowStarter & { started: WorkflowInput[] } {
  const started: WorkflowInput[] = [];
  return {
    started,
    start: async (name, input) => {
      started.push(input);
      return {
        executionArn: `arn:aws:states:us-east-1:123456789012:execution:oom:${name}`,
        alreadyStarted: false,
      };
    },
  };
}

/**
 * The health check CloudWatch Logs sends to a new destination, as the decoders of Vector and Telegraf reproduce it
 * in their tests: every id, group and stream empty. The CloudWatch Logs User Guide describes `CONTROL_MESSAGE` in
 * words; its exact example could not be retrieved here (shared/docs/aws-facts.md marks the fact unverified).
 */
export const DOCUMENTED_CONTROL_MESSAGE = {
  messageType: 'CONTROL_MESSAGE',
  owner: 'CloudwatchLogs',
  logGroup: '',
  logStream: '',
  subscriptionFilters: [],
  logEvents: [
    {
      id: '',
      timestamp: 1432826855000,
      message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.',
    },
  ],
};
