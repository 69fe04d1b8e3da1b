import type { MemorySeries } from '../../functions/core/metrics/memory-series';
import { type MemoryWindow, windowOf } from '../../functions/core/metrics/memory-window';

const MINUTE = 60_000;

/** A series as GetMetricData returns it: one point a minute from `fromMs`, none where the value is null. */
export function perMinuteSeries(
  metric: MemorySeries['metric'],
  instanceId: string,
  fromMs: number,
  values: readonly (number | null)[],
): MemorySeries {
  return {
    metric,
    instanceId,
    periodSeconds: 60,
    points: values.flatMap((value, i) =>
      value === null ? [] : [{ at: new Date(fromMs + i * MINUTE).toISOString(), value }],
    ),
  };
}

export interface HourOptions {
  instanceId: string;
  /** The first minute of the hour. */
  fromMs: number;
  killAt: Date;
  /** Available memory, one value a minute from `fromMs` (null: no point). */
  available: readonly (number | null)[];
  /** Swap use, the same minutes. @default none */
  swap?: readonly (number | null)[];
  /** @default five minutes after the kill: CloudWatch has shown every minute of the hour */
  readAt?: Date;
  /** @default 10 */
  thresholdPercent?: number | null;
}

/** The hour from `fromMs` as the analyze step keeps it (`windowOf` over both metrics' series). */
export function hourWindow(options: HourOptions): MemoryWindow {
  const { instanceId, fromMs, killAt } = options;
  return windowOf(
    instanceId,
    [
      perMinuteSeries('mem_available_percent', instanceId, fromMs, options.available),
      perMinuteSeries('swap_used_percent', instanceId, fromMs, options.swap ?? []),
    ],
    {
      from: new Date(fromMs),
      to: new Date(fromMs + 60 * MINUTE),
      killAt,
      readAt: options.readAt ?? new Date(killAt.getTime() + 5 * MINUTE),
      thresholdPercent: options.thresholdPercent === undefined ? 10 : options.thresholdPercent,
    },
  );
}
