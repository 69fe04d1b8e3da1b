import type { PressureOutcome } from '../pressure/outcome';
import {
  type ConsoleTarget,
  consoleOrigin,
  executionUrl,
  runCommandUrl,
  s3ConsoleUrl,
} from './console-links';
import type { LinkView } from './incident-links';
import { jsurlStringify } from './jsurl';

/** The graph shows the hour before the warning and what came after it, up to now. */
const GRAPH_START = '-PT3H';

/**
 * Where to look next about a warning: the alarm (its contributors and history), the instance's memory metrics as
 * a graph, the execution, the diagnostics command's output and its full output in S3. A link whose inputs are
 * missing or malformed is left out, never guessed.
 */
export function pressureLinks(outcome: PressureOutcome): LinkView[] {
  const { warning, diagnostics, context } = outcome;
  const target: ConsoleTarget = {
    partition: context.partition,
    region: context.region || regionOfArn(warning.alarmArn),
  };
  const links: [string, string | null][] = [
    ['Alarm', alarmUrl(target, warning.alarmName)],
    ['Memory graph', metricGraphUrl(target, warning.instanceId)],
    ['Execution', context.executionArn ? executionUrl(target, context.executionArn) : null],
    [
      'Diagnostics output',
      diagnostics.commandId ? runCommandUrl(target, diagnostics.commandId, warning.instanceId) : null,
    ],
    ['Full diagnostics (S3)', diagnostics.outputS3Uri ? s3ConsoleUrl(target, diagnostics.outputS3Uri) : null],
  ];
  return links.flatMap(([label, url]) => (url ? [{ label, url }] : []));
}

/** The CloudWatch console's page of one alarm (`#alarmsV2:alarm/<name>`). */
export function alarmUrl(target: ConsoleTarget, alarmName: string): string | null {
  const origin = consoleOrigin(target);
  if (!origin || alarmName.length === 0) return null;
  return safe(
    `${origin}/cloudwatch/home?region=${target.region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`,
  );
}

/**
 * The metrics explorer with the agent's available-memory and swap-use metrics of one instance (CWAgent,
 * InstanceId alone, 1-minute averages): the console keeps the graph in the fragment as `metricsV2:graph=<JSURL>`.
 */
export function metricGraphUrl(target: ConsoleTarget, instanceId: string): string | null {
  const origin = consoleOrigin(target);
  if (!origin || !/^i-[0-9a-f]{8,17}$/.test(instanceId)) return null;
  const graph = jsurlStringify({
    metrics: [
      ['CWAgent', 'mem_available_percent', 'InstanceId', instanceId],
      ['CWAgent', 'swap_used_percent', 'InstanceId', instanceId],
    ],
    view: 'timeSeries',
    stacked: false,
    stat: 'Average',
    period: 60,
    region: target.region,
    start: GRAPH_START,
    end: 'P0D',
  });
  return safe(`${origin}/cloudwatch/home?region=${target.region}#metricsV2:graph=${graph}`);
}

function regionOfArn(arn: string): string {
  return arn.split(':')[3] ?? '';
}

function safe(url: string): string | null {
  return /[\s|<>"]/.test(url) ? null : url;
}
