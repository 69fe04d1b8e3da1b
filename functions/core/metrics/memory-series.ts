/**
 * An instance's memory metrics as the CloudWatch agent publishes them (the stack's agent configurations:
 * `lib/log-shipping/memory-metrics.ts`, namespace `CWAgent`, dimension `InstanceId` alone, every 60 s). Read by the
 * analysis for the timeline before a kill and for the projection of a memory-pressure warning. Pure data: the
 * reader that fills it is `adapters/cloudwatch/memory-metrics-reader.ts`.
 */

/** The agent's host-wide memory metrics this pipeline reads, in percent (0-100). */
export const MEMORY_METRIC_NAMES = ['mem_available_percent', 'swap_used_percent'] as const;
export type MemoryMetricName = (typeof MEMORY_METRIC_NAMES)[number];

/** One datapoint: the period's start (ISO 8601, UTC) and the period's average. */
export interface MetricPoint {
  at: string;
  value: number;
}

/** One metric of one instance over a window, oldest point first; no point where the agent sent none. */
export interface MemorySeries {
  metric: MemoryMetricName;
  instanceId: string;
  /** The aggregation period of each point, in seconds. */
  periodSeconds: number;
  points: MetricPoint[];
}

/** What to read: the window is `[from, to)`; `to` is typically the kill's or the warning's time. */
export interface MemorySeriesQuery {
  instanceId: string;
  metrics: readonly MemoryMetricName[];
  from: Date;
  to: Date;
  /** @default 60 (the agent's collection interval) */
  periodSeconds?: number;
}

/**
 * Reads the series; one per metric asked, in the order asked, with no points when the metric does not exist
 * (the host ships logs but no metrics, or `earlyWarning` is off). Rejects only when CloudWatch could not be asked
 * (access denied, throttled past retries, aborted): the caller decides what a missing timeline means.
 */
export interface MemoryMetricsReader {
  read(query: MemorySeriesQuery, options?: { signal?: AbortSignal }): Promise<MemorySeries[]>;
}
