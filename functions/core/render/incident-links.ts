import { parseTime } from '../format/time';
import type { ResponseOutcome } from '../incident/outcome';
import {
  type ConsoleTarget,
  executionUrl,
  logsInsightsUrl,
  runCommandUrl,
  s3ConsoleUrl,
} from './console-links';
import { memoryGraphUrl } from './memory-timeline-view';

export interface LinkView {
  label: string;
  url: string;
}

/** The log lines before and after the kill: the report's start, what the host logged as it went down. */
const LOG_WINDOW_MS = 15 * 60 * 1000;

/**
 * Where to look next, each link built for the account's partition and region: the workflow execution, the
 * diagnostics command's output, the full output in S3, each remediation's output, the kernel log stream
 * around the kill in Logs Insights, and the instance's memory metrics over the hour before it. A link whose inputs are missing is left out, never guessed.
 */
export function incidentLinks(outcome: ResponseOutcome): LinkView[] {
  const { incident, diagnostics, context } = outcome;
  const target: ConsoleTarget = {
    partition: context.partition,
    region: context.region || incident.source.region || '',
  };
  const instanceId = incident.instance.instanceId;
  const links: (LinkView | null)[] = [
    make('Execution', context.executionArn ? executionUrl(target, context.executionArn) : null),
    make(
      'Diagnostics output',
      diagnostics.commandId ? runCommandUrl(target, diagnostics.commandId, instanceId) : null,
    ),
    make(
      'Full diagnostics (S3)',
      diagnostics.outputS3Uri ? s3ConsoleUrl(target, diagnostics.outputS3Uri) : null,
    ),
    ...outcome.actions.map((action) =>
      make(
        `${action.action} output`,
        action.commandId ? runCommandUrl(target, action.commandId, instanceId) : null,
      ),
    ),
    make('Logs around the kill', logsLink(outcome, target)),
    make('Memory metrics (hour before)', memoryGraphUrl(outcome, target)),
  ];
  return links.filter((link): link is LinkView => link !== null);
}

function make(label: string, url: string | null): LinkView | null {
  return url ? { label, url } : null;
}

function logsLink(outcome: ResponseOutcome, target: ConsoleTarget): string | null {
  const { incident } = outcome;
  const logGroup = incident.source.logGroup ?? incident.firstKill.logGroup;
  if (!logGroup) return null;
  // When CloudWatch received the kill is UTC for sure; the kill's own time may be the host's local clock.
  const at =
    parseTime(incident.observedAt ?? null) ??
    parseTime(incident.firstKill.time) ??
    parseTime(incident.openedAt);
  if (at === null) return null;
  const stream = incident.source.logStream ?? incident.firstKill.logStream;
  const filter = stream
    ? `| filter @logStream = "${stream.replace(/["\\]/g, '\\$&')}"`
    : '| filter @message like /Out of memory|Killed process|invoked oom-killer|oom-kill/';
  const query = [
    'fields @timestamp, @logStream, @message',
    filter,
    '| sort @timestamp asc',
    '| limit 2000',
  ].join('\n');
  return logsInsightsUrl(target, {
    logGroup,
    query,
    start: new Date(at - LOG_WINDOW_MS).toISOString(),
    end: new Date(at + LOG_WINDOW_MS).toISOString(),
  });
}
