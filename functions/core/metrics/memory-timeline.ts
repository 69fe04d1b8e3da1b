import type { MemoryWindow } from './memory-window';
import { sparkline } from './sparkline';

/** A value of the window and the start of its slot (ISO 8601, UTC). */
export interface TimelinePoint {
  at: string;
  value: number;
}

/** Where available memory stood against the early-warning alarm's threshold over the hour. */
export interface ThresholdCrossing {
  thresholdPercent: number;
  /** `crossed`: it went from above to at-or-below at `at`; `below-all-hour`: from the first point; `never`. */
  state: 'crossed' | 'below-all-hour' | 'never';
  at: string | null;
}

/** A run of slots the agent sent nothing for, though CloudWatch had had time to show them. */
export interface MetricGap {
  from: string;
  minutes: number;
  /** No point came after it before the kill: the agent went silent and stayed so (a thrashing host often does). */
  untilKill: boolean;
}

/**
 * The instance's memory over the hour before the kill, in figures a message can state: available memory's first,
 * lowest and last points, its fall to the lowest point, swap use, the early-warning crossing, the gaps, and a
 * sparkline. Everything is the agent's own numbers (percent, 0-100), nothing interpolated.
 */
export interface MemoryTimeline {
  instanceId: string;
  from: string;
  killAt: string;
  periodSeconds: number;
  first: TimelinePoint;
  lowest: TimelinePoint;
  highest: TimelinePoint;
  last: TimelinePoint;
  /** From the last time it stood at its highest before the lowest point, to that point; null when under 5 points fell. */
  fall: { from: TimelinePoint; to: TimelinePoint; minutes: number } | null;
  /** Swap use, when the agent sent it. */
  swap: { first: TimelinePoint; highest: TimelinePoint; last: TimelinePoint } | null;
  crossing: ThresholdCrossing | null;
  gaps: MetricGap[];
  /** Empty minutes at the end of the window too recent for CloudWatch to show when it was read: not gaps. */
  pendingMinutes: number;
  /** Available memory, one block character per 5 minutes on a fixed 0-100 % scale, `·` where no point came. */
  sparkline: string;
  points: number;
}

/** A fall smaller than this (percentage points) is "held", not "fell": the agent's noise is a point or two. */
const FALL_POINTS = 5;
/** How long after a minute's end CloudWatch may still not show the agent's point for it. */
const PUBLISH_LAG_MS = 3 * 60_000;
/** One missing minute is the agent's flush jitter; two or more in a row is silence. */
const GAP_SLOTS = 2;
const SPARK_BUCKET_SECONDS = 300;

/** The window's timeline, or null when it holds no point of available memory (nothing to say but that). */
export function describeMemoryTimeline(window: MemoryWindow): MemoryTimeline | null {
  const periodMs = window.periodSeconds * 1000;
  const fromMs = Date.parse(window.from);
  const at = (index: number) => new Date(fromMs + index * periodMs).toISOString();
  const available = presentPoints(window.available, at);
  const [first] = available;
  const last = available[available.length - 1];
  if (!first || !last) return null;
  const lowest = available.reduce((low, point) => (point.value < low.value ? point : low), first);
  const swapPoints = presentPoints(window.swapUsed, at);
  const swapFirst = swapPoints[0];
  const swapLast = swapPoints[swapPoints.length - 1];
  const expected = expectedSlots(window);
  return {
    instanceId: window.instanceId,
    from: window.from,
    killAt: window.killAt,
    periodSeconds: window.periodSeconds,
    first,
    lowest,
    highest: available.reduce((high, point) => (point.value > high.value ? point : high), first),
    last,
    fall: fallTo(available, lowest),
    swap:
      swapFirst && swapLast
        ? {
            first: swapFirst,
            highest: swapPoints.reduce((high, p) => (p.value > high.value ? p : high), swapFirst),
            last: swapLast,
          }
        : null,
    crossing: crossingOf(available, window.thresholdPercent),
    gaps: gapsOf(window.available.slice(0, expected), at, window.periodSeconds),
    pendingMinutes: Math.round((pendingSlots(window.available, expected) * window.periodSeconds) / 60),
    sparkline: sparkline(
      window.available,
      Math.max(1, Math.round(SPARK_BUCKET_SECONDS / window.periodSeconds)),
    ),
    points: available.length,
  };
}

function presentPoints(values: readonly (number | null)[], at: (i: number) => string): TimelinePoint[] {
  return values.flatMap((value, i) => (value === null ? [] : [{ at: at(i), value }]));
}

/** The slots CloudWatch had had time to show when read (and that start before the kill): the rest is pending. */
function expectedSlots(window: MemoryWindow): number {
  const periodMs = window.periodSeconds * 1000;
  const fromMs = Date.parse(window.from);
  const readMs = Date.parse(window.readAt);
  let count = 0;
  while (count < window.available.length && fromMs + (count + 1) * periodMs + PUBLISH_LAG_MS <= readMs)
    count += 1;
  return count;
}

/** The empty slots at the end that CloudWatch could not show yet: those after the last point, and too recent. */
function pendingSlots(values: readonly (number | null)[], expected: number): number {
  let empty = 0;
  while (empty < values.length && values[values.length - 1 - empty] === null) empty += 1;
  return Math.min(empty, values.length - expected);
}

function fallTo(points: readonly TimelinePoint[], lowest: TimelinePoint): MemoryTimeline['fall'] {
  const before = points.filter((p) => p.at <= lowest.at);
  // The latest of the highest points before the lowest: the fall is then as steep as the agent saw it.
  const peak = before.reduce<TimelinePoint | null>(
    (high, p) => (high === null || p.value >= high.value ? p : high),
    null,
  );
  if (!peak || peak.value - lowest.value < FALL_POINTS) return null;
  return {
    from: peak,
    to: lowest,
    minutes: Math.round((Date.parse(lowest.at) - Date.parse(peak.at)) / 60_000),
  };
}

/** The early-warning alarm counts a point at or below its threshold (`LessThanOrEqualToThreshold`). */
function crossingOf(points: readonly TimelinePoint[], threshold: number | null): ThresholdCrossing | null {
  if (threshold === null) return null;
  const [first] = points;
  if (first && first.value <= threshold)
    return { thresholdPercent: threshold, state: 'below-all-hour', at: null };
  const crossed = points.find((p) => p.value <= threshold);
  return crossed
    ? { thresholdPercent: threshold, state: 'crossed', at: crossed.at }
    : { thresholdPercent: threshold, state: 'never', at: null };
}

function gapsOf(
  values: readonly (number | null)[],
  at: (i: number) => string,
  periodSeconds: number,
): MetricGap[] {
  const gaps: MetricGap[] = [];
  let start = -1;
  values.forEach((value, i) => {
    if (value === null && start < 0) start = i;
    const ends = value !== null || i === values.length - 1;
    if (start >= 0 && ends) {
      const endExclusive = value === null ? i + 1 : i;
      const slots = endExclusive - start;
      // Silence at the very start of the hour is an agent that was not running yet, or a new instance: not a gap.
      if (slots >= GAP_SLOTS && start > 0)
        gaps.push({
          from: at(start),
          minutes: Math.round((slots * periodSeconds) / 60),
          untilKill: value === null,
        });
      start = -1;
    }
  });
  return gaps;
}
