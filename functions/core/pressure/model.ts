import type { RemediationPlan } from '../analysis/model';
import type { MemoryPressureStall, ProcessSmapsRollup } from '../diagnostics/pressure-sample';
import type { MemoryMetricName } from '../metrics/memory-series';
import type { HostReading } from './host-reading';
import type { ExhaustionProjection } from './projection';
import type { TopGrower } from './top-grower';

/** The early-warning alarm's contributor that started the response, as the workflow's input carried it. */
export interface PressureAlarm {
  name: string;
  arn: string;
  metric: MemoryMetricName | null;
  /** The datapoint that crossed the threshold, percent. */
  latestValue: number | null;
  threshold: number | null;
  /** When the contributor went into ALARM (ISO 8601). */
  at: string;
}

/** Whether the last hour's metrics could be read: `none` when CloudWatch holds no point for the instance. */
export interface MetricsRead {
  status: 'read' | 'none' | 'failed' | 'not-asked';
  detail: string | null;
}

/**
 * When the host will likely run out, from both projections: without swap, when available memory reaches 0; with
 * swap, the later of that and swap full (the kernel swaps before it kills), or `at least` the one that is soon when
 * the other is not moving yet.
 */
export interface ExhaustionEstimate {
  minutes: number;
  bound: 'about' | 'at least';
  /** The projections it is from. */
  from: MemoryMetricName[];
}

/**
 * The analysis of a memory-pressure warning: when memory will likely run out, who is growing, how stalled the
 * host is, whether its own reading confirms the alarm, and the preventive plan the policy allows. Pure data, as
 * the analyze Lambda returns it and the notifier renders it.
 */
export interface PressureAnalysis {
  kind: 'pressure';
  instanceId: string;
  alarm: PressureAlarm;
  metrics: MetricsRead;
  /** Projections of `mem_available_percent` to 0 and (when the host has swap) `swap_used_percent` to 100. */
  available: ExhaustionProjection | null;
  swap: ExhaustionProjection | null;
  /** Whether the host has swap: its diagnostics, else the swap metric; null when neither tells. */
  swapPresent: boolean | null;
  exhaustion: ExhaustionEstimate | null;
  grower: TopGrower | null;
  /** `/proc/pressure/memory` at diagnosis; null without PSI or diagnostics. */
  stall: MemoryPressureStall | null;
  /** The largest processes' smaps_rollup, largest first (at most a few). */
  top: ProcessSmapsRollup[];
  host: HostReading;
  plan: RemediationPlan;
}
