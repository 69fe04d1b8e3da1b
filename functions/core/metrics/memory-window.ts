import * as z from 'zod';
import type { MemorySeries } from './memory-series';

/**
 * The hour before a kill as the analyze step read it from the CloudWatch agent's metrics, kept compact: one slot
 * per period (null where the agent sent nothing), values rounded to 0.1. It travels in the workflow's state to
 * notify (Step Functions' 256 KiB), so an hour of two metrics is about 600 bytes; the figures, the sparkline and
 * the console link are worked out from it by `describeMemoryTimeline` when a message is rendered.
 */
export const MemoryWindowSchema = z.object({
  instanceId: z.string().min(1),
  /** Start of the first slot (ISO 8601, UTC, on a period boundary). */
  from: z.string().min(1),
  periodSeconds: z.number().int().positive(),
  /** When the kill was (when CloudWatch received it: UTC for sure). */
  killAt: z.string().min(1),
  /**
   * When the metrics were read. The agent sends a minute's point about a minute later, and CloudWatch shows it a
   * little after that: a slot this close to the read is "not published yet", never a gap.
   */
  readAt: z.string().min(1),
  /** `mem_available_percent`, one value per slot from `from`, oldest first. */
  available: z.array(z.number().nullable()).max(1440),
  /** `swap_used_percent`, the same slots. */
  swapUsed: z.array(z.number().nullable()).max(1440),
  /** The early-warning alarm's threshold on available memory (percent), when the deployment has the alarm. */
  thresholdPercent: z.number().nullable(),
});

export type MemoryWindow = z.infer<typeof MemoryWindowSchema>;

/**
 * What the analysis knows of the instance's memory before the kill, and why it knows nothing when it does not:
 * - `read`: the window (the agent's points, possibly with gaps);
 * - `no-metrics`: CloudWatch answered, with no point of available memory in the hour (the agent does not publish
 *   them on this instance: the stack's agent configuration is not applied, or an older one without metrics);
 * - `unreadable`: CloudWatch could not be asked in time (`error`: the error's name, `TimeoutError` past the budget);
 * - `not-read`: nothing was asked (`drill`: a synthetic kill; `no-instance`: the instance is unknown; `not-configured`:
 *   the deployment publishes no memory metrics, `earlyWarning: false`, or the CLI's local replay).
 */
export const MemoryTimelineOutcomeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('read'), window: MemoryWindowSchema }),
  z.object({ status: z.literal('no-metrics'), instanceId: z.string().min(1) }),
  z.object({
    status: z.literal('unreadable'),
    instanceId: z.string().min(1),
    error: z.string().max(200),
  }),
  z.object({
    status: z.literal('not-read'),
    reason: z.enum(['drill', 'no-instance', 'not-configured']),
  }),
]);

export type MemoryTimelineOutcome = z.infer<typeof MemoryTimelineOutcomeSchema>;

/** The outcome in a state the notifier received, or undefined when there is none or it is not one (an old state). */
export function memoryTimelineOutcomeOf(value: unknown): MemoryTimelineOutcome | undefined {
  const parsed = MemoryTimelineOutcomeSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** What `windowOf` needs besides the series: the slots' span and the times the message will speak of. */
export interface WindowSpan {
  from: Date;
  to: Date;
  killAt: Date;
  readAt: Date;
  thresholdPercent: number | null;
}

/**
 * The reader's series laid into slots of the window: a point goes to the slot its period starts in; points
 * outside the window are dropped (GetMetricData returns none, but a fake or a later reader might).
 */
export function windowOf(
  instanceId: string,
  series: readonly MemorySeries[],
  span: WindowSpan,
): MemoryWindow {
  const periodSeconds = series[0]?.periodSeconds ?? 60;
  const periodMs = periodSeconds * 1000;
  const slots = Math.max(0, Math.ceil((span.to.getTime() - span.from.getTime()) / periodMs));
  const slotted = (metric: MemorySeries['metric']): (number | null)[] => {
    const values: (number | null)[] = Array.from({ length: slots }, () => null);
    for (const point of series.find((s) => s.metric === metric)?.points ?? []) {
      const index = Math.floor((Date.parse(point.at) - span.from.getTime()) / periodMs);
      if (index >= 0 && index < slots && Number.isFinite(point.value)) values[index] = round1(point.value);
    }
    return values;
  };
  return {
    instanceId,
    from: span.from.toISOString(),
    periodSeconds,
    killAt: span.killAt.toISOString(),
    readAt: span.readAt.toISOString(),
    available: slotted('mem_available_percent'),
    swapUsed: slotted('swap_used_percent'),
    thresholdPercent: span.thresholdPercent,
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
