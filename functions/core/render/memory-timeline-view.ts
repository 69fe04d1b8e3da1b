import { clockOf, percentValue } from '../format/percent';
import type { ResponseOutcome } from '../incident/outcome';
import { describeMemoryTimeline, type MemoryTimeline } from '../metrics/memory-timeline';
import type { MemoryWindow } from '../metrics/memory-window';
import { type ConsoleTarget, metricGraphUrl } from './console-links';
import { oneLine } from './text-fit';

/**
 * The memory timeline as every channel says it: a heading, the sparkline and its span, the figures in one line
 * (the metric graph's console link is in the message's links, `memoryGraphUrl`). Or, when the metrics could not be had, one line saying why and how to get
 * them (`sparkline` null): never an empty sparkline.
 */
export interface MemoryTimelineView {
  heading: string;
  /** One block per 5 minutes, 0-100 %, `·` where the agent sent nothing; null when there is no timeline. */
  sparkline: string | null;
  /** `17:29 to 18:28 UTC`: what the sparkline spans (no `17:29-18:28`: Slack reads `:29-18:` as an emoji code). */
  span: string | null;
  line: string;
}

export const MEMORY_TIMELINE_HEADING = 'Available memory, the hour before the kill';

/**
 * The view of the outcome's timeline, or null when nothing was asked: a drill, an unknown instance, or a
 * deployment without memory metrics. `earlyWarning` is on by default, so a deployment without them turned it off
 * on purpose (or is the CLI's local replay, which has no CloudWatch): a line in every message would only nag.
 */
export function memoryTimelineView(outcome: ResponseOutcome): MemoryTimelineView | null {
  const read = outcome.memoryTimeline;
  if (!read || read.status === 'not-read') return null;
  if (read.status === 'no-metrics')
    return without(
      `no memory metrics: CloudWatch holds no mem_available_percent of ${read.instanceId} (namespace CWAgent, dimension InstanceId) for the hour before the kill. Apply the stack's CloudWatch agent configuration on the instance (amazon-cloudwatch-agent-ctl -a append-config, or applyAgentConfiguration for tagged instances) to have it in the next message.`,
    );
  if (read.status === 'unreadable')
    return without(`the memory metrics of ${read.instanceId} could not be read (${read.error}).`);
  const timeline = describeMemoryTimeline(read.window);
  if (!timeline)
    return without(`no memory metrics of ${read.window.instanceId} for the hour before the kill.`);
  return {
    heading: `${MEMORY_TIMELINE_HEADING} (CloudWatch agent, ${timeline.instanceId})`,
    sparkline: timeline.sparkline,
    span: `${clockOf(timeline.from)} to ${clockOf(lastSlotOf(read.window))} UTC`,
    line: oneLine(timelineFigures(timeline)),
  };
}

/** The metric graph of a window, for the links every channel lists. */
export function memoryGraphUrl(outcome: ResponseOutcome, target: ConsoleTarget): string | null {
  const read = outcome.memoryTimeline;
  return read?.status === 'read' ? metricGraphUrl(target, graphOf(read.window)) : null;
}

/** The figures, in the order a reader asks: how far it fell, against the warning, swap, and what is missing. */
export function timelineFigures(t: MemoryTimeline): string {
  const parts: string[] = [];
  if (t.fall) {
    parts.push(
      `available memory fell from ${percentValue(t.fall.from.value)} at ${clockOf(t.fall.from.at)} to ${percentValue(t.fall.to.value)} at ${clockOf(t.fall.to.at)} (${t.fall.minutes} min)`,
    );
  } else {
    parts.push(
      t.lowest.value === t.highest.value
        ? `available memory held at ${percentValue(t.lowest.value)}`
        : `available memory held between ${percentValue(t.lowest.value)} and ${percentValue(t.highest.value)}`,
    );
  }
  if (t.last.at !== t.lowest.at)
    parts.push(`${percentValue(t.last.value)} at the last point (${clockOf(t.last.at)})`);
  if (t.crossing) {
    const threshold = `the early-warning threshold (${percentValue(t.crossing.thresholdPercent)})`;
    parts.push(
      t.crossing.state === 'crossed' && t.crossing.at
        ? `at or below ${threshold} from ${clockOf(t.crossing.at)}`
        : t.crossing.state === 'below-all-hour'
          ? `at or below ${threshold} all hour`
          : `never at or below ${threshold}`,
    );
  }
  parts.push(swapFigures(t));
  for (const gap of t.gaps) {
    parts.push(
      gap.untilKill
        ? `the agent sent nothing from ${clockOf(gap.from)} on, the last ${gap.minutes} min before the kill: a host that thrashes often stops reporting`
        : `no points from ${clockOf(gap.from)} to ${clockOf(plusMinutes(gap.from, gap.minutes - 1))} (${gap.minutes} min)`,
    );
  }
  if (t.pendingMinutes > 0) parts.push(`the last ${t.pendingMinutes} min were not published yet when read`);
  return parts.join('; ');
}

function swapFigures(t: MemoryTimeline): string {
  const swap = t.swap;
  if (!swap) return 'no swap figures';
  if (swap.highest.value === 0) return 'swap used 0%';
  const rise = `swap used ${percentValue(swap.first.value)} → ${percentValue(swap.last.value)}`;
  return swap.highest.value > swap.last.value
    ? `${rise} (highest ${percentValue(swap.highest.value)})`
    : rise;
}

function without(text: string): MemoryTimelineView {
  return { heading: MEMORY_TIMELINE_HEADING, sparkline: null, span: null, line: oneLine(text) };
}

function graphOf(window: MemoryWindow) {
  return {
    instanceId: window.instanceId,
    start: window.from,
    end: new Date(
      Date.parse(window.from) + window.available.length * window.periodSeconds * 1000,
    ).toISOString(),
    killAt: window.killAt,
    thresholdPercent: window.thresholdPercent,
  };
}

function lastSlotOf(window: MemoryWindow): string {
  const slots = Math.max(0, window.available.length - 1);
  return new Date(Date.parse(window.from) + slots * window.periodSeconds * 1000).toISOString();
}

function plusMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}
