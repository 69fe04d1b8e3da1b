import { type JsurlValue, jsurlStringify } from './jsurl';

/**
 * AWS console deep links, per partition. The console lives on a different domain in each partition:
 * `<region>.console.aws.amazon.com`, `<region>.console.amazonaws.cn`, `<region>.console.amazonaws-us-gov.com`.
 * Other partitions (the ISO ones) have no public console domain we know, so no link is built there rather than a
 * wrong one. Every link is checked to be free of the characters that would break a Slack `<url|label>`.
 */
const CONSOLE_DOMAINS: Record<string, string> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

export interface ConsoleTarget {
  partition: string;
  region: string;
}

/** `https://<region>.<console domain>` for the partition, or null when either is unknown or malformed. */
export function consoleOrigin({ partition, region }: ConsoleTarget): string | null {
  const domain = CONSOLE_DOMAINS[partition];
  if (!domain || !REGION.test(region)) return null;
  return `https://${region}.${domain}`;
}

/** The Step Functions execution page (the new console's `#/v2/executions/details/<arn>`). */
export function executionUrl(target: ConsoleTarget, executionArn: string): string | null {
  const origin = consoleOrigin(target);
  if (!origin || !/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^\s|<>]+$/.test(executionArn))
    return null;
  return safe(`${origin}/states/home?region=${target.region}#/v2/executions/details/${executionArn}`);
}

/** The Run Command page of one command on one instance (its output tab), or of the command alone. */
export function runCommandUrl(
  target: ConsoleTarget,
  commandId: string,
  instanceId: string | null,
): string | null {
  const origin = consoleOrigin(target);
  if (!origin || !/^[0-9a-fA-F-]{36}$/.test(commandId)) return null;
  const instance = instanceId && /^(?:i|mi)-[0-9a-f]{8,17}$/.test(instanceId) ? `/${instanceId}` : '';
  return safe(`${origin}/systems-manager/run-command/${commandId}${instance}?region=${target.region}`);
}

/**
 * The S3 console page of `s3://bucket/key`: the object page for a key, the bucket listing at a prefix for a key
 * ending in `/`. The standard partition serves the S3 console from `s3.console.aws.amazon.com`.
 */
export function s3ConsoleUrl(target: ConsoleTarget, s3Uri: string): string | null {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(s3Uri);
  const origin = consoleOrigin(target);
  if (!match || !origin) return null;
  const bucket = match[1] ?? '';
  const key = match[2] ?? '';
  const host = target.partition === 'aws' ? 'https://s3.console.aws.amazon.com' : origin;
  const prefix = `region=${target.region}&prefix=${encodeURIComponent(key)}`;
  const page = key === '' || key.endsWith('/') ? 'buckets' : 'object';
  return safe(`${host}/s3/${page}/${bucket}?${prefix}`);
}

export interface LogsInsightsQuery {
  logGroup: string;
  query: string;
  /** ISO 8601 instants. */
  start: string;
  end: string;
}

/**
 * A Logs Insights page with the query, log group and absolute time range filled in. The console keeps that state
 * in the fragment as `logsV2:logs-insights?queryDetail=<JSURL>` with `?` and `=` written `$3F` and `$3D`, which
 * is what the console itself puts in its address bar (and what Grafana builds for its "open in console" links).
 */
export function logsInsightsUrl(target: ConsoleTarget, q: LogsInsightsQuery): string | null {
  const origin = consoleOrigin(target);
  if (!origin || q.logGroup.length === 0) return null;
  const detail = jsurlStringify({
    end: q.end,
    start: q.start,
    timeType: 'ABSOLUTE',
    tz: 'UTC',
    editorString: q.query,
    source: [q.logGroup],
  });
  return safe(
    `${origin}/cloudwatch/home?region=${target.region}#logsV2:logs-insights$3FqueryDetail$3D${detail}`,
  );
}

export interface MemoryGraph {
  instanceId: string;
  /** ISO 8601 instants: the window's start and end. */
  start: string;
  end: string;
  /** The kill, marked on the graph. */
  killAt: string;
  /** The early-warning threshold on available memory, drawn as a line when there is one. */
  thresholdPercent: number | null;
}

/**
 * The CloudWatch metrics graph of the instance's available memory and swap use (CloudWatch agent, `CWAgent`,
 * dimension `InstanceId`), the window's absolute time range, on 0-100 %, with the kill marked. The console keeps a
 * graph in the fragment as `metricsV2:graph=<JSURL>` of the metric widget's source (`metrics` as
 * `[namespace, name, dimension, value]` rows, `"."` repeating the row above, `view`, `stat`, `period`, `start`,
 * `end`, `yAxis`, `annotations`), as the console's own address bar and shared links show it.
 */
export function metricGraphUrl(target: ConsoleTarget, graph: MemoryGraph): string | null {
  const origin = consoleOrigin(target);
  if (!origin || !/^i-[0-9a-f]{8,17}$/.test(graph.instanceId)) return null;
  const annotations: { [key: string]: JsurlValue } = {
    vertical: [{ label: 'OOM kill', value: graph.killAt }],
    ...(graph.thresholdPercent === null
      ? {}
      : { horizontal: [{ label: 'early warning', value: graph.thresholdPercent }] }),
  };
  const source = jsurlStringify({
    metrics: [
      ['CWAgent', 'mem_available_percent', 'InstanceId', graph.instanceId, { label: 'available %' }],
      ['.', 'swap_used_percent', '.', '.', { label: 'swap used %' }],
    ],
    view: 'timeSeries',
    stacked: false,
    region: target.region,
    stat: 'Average',
    period: 60,
    start: graph.start,
    end: graph.end,
    yAxis: { left: { min: 0, max: 100 } },
    annotations,
    title: `Memory of ${graph.instanceId} before the OOM kill`,
  });
  return safe(`${origin}/cloudwatch/home?region=${target.region}#metricsV2:graph=${source}`);
}

function safe(url: string): string | null {
  return /[\s|<>"]/.test(url) ? null : url;
}
