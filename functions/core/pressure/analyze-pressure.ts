import type { RecentAction } from '../analysis/input';
import type { DiagnosticsSummary } from '../diagnostics/model';
import type { MemorySeries } from '../metrics/memory-series';
import type { Policy } from '../policy/policy';
import type { PressureAnalyzeEvent } from '../workflow/pressure-state';
import { hostReading } from './host-reading';
import type { ExhaustionEstimate, MetricsRead, PressureAnalysis } from './model';
import { planPreventiveSwap } from './preventive-swap';
import { type ExhaustionProjection, projectExhaustion } from './projection';
import { topGrower } from './top-grower';

/** The rollups a message lists: enough to see who holds the memory. */
export const TOP_ROLLUPS = 5;

export interface AnalyzePressureInput {
  event: PressureAnalyzeEvent;
  /** The parsed diagnostics summary, null when the host did not answer. */
  diagnostics: DiagnosticsSummary | null;
  /** The last hour's series (any order), or why there are none. */
  series: MemorySeries[] | { failed: string } | null;
  policy: Policy;
  recentActions: RecentAction[];
  /** ISO 8601 time of the analysis. */
  now: string;
}

/**
 * Analyze a memory-pressure warning. The projections fit the metrics up to the warning's own time (what the alarm
 * saw), not the analysis's: the diagnostics then say what the host reads minutes later. Reads no clock.
 */
export function analyzePressure(input: AnalyzePressureInput): PressureAnalysis {
  const { event, diagnostics } = input;
  const warnedMs = Date.parse(event.warnedAt);
  const to = new Date(Number.isFinite(warnedMs) ? warnedMs : Date.parse(input.now));
  const host = hostReading(diagnostics, { metric: event.metric, threshold: event.threshold });
  const series = Array.isArray(input.series) ? input.series : [];
  const find = (metric: MemorySeries['metric']) =>
    series.find((s) => s.metric === metric && s.points.length > 0);
  const availableSeries = find('mem_available_percent');
  const swapSeries = find('swap_used_percent');
  const swapPresent = swapPresence(diagnostics, swapSeries);
  const available = availableSeries ? projectExhaustion(availableSeries, { end: 0 }, to) : null;
  const swap = swapPresent && swapSeries ? projectExhaustion(swapSeries, { end: 100 }, to) : null;
  return {
    kind: 'pressure',
    instanceId: event.instanceId,
    alarm: {
      name: event.alarmName,
      arn: event.alarmArn,
      metric: event.metric,
      latestValue: event.latestValue,
      threshold: event.threshold,
      at: event.warnedAt,
    },
    metrics: metricsRead(input.series, series),
    available,
    swap,
    swapPresent,
    exhaustion: estimate(available, swapPresent ? swap : null),
    grower: topGrower(diagnostics),
    stall: diagnostics?.pressure?.stall ?? null,
    top: (diagnostics?.pressure?.smaps ?? []).slice(0, TOP_ROLLUPS),
    host,
    plan: planPreventiveSwap({
      policy: input.policy,
      instanceId: event.instanceId,
      diagnostics,
      reading: host,
      recentActions: input.recentActions,
      nowMs: Date.parse(input.now),
    }),
  };
}

function swapPresence(
  diagnostics: DiagnosticsSummary | null,
  swap: MemorySeries | undefined,
): boolean | null {
  if (diagnostics) {
    const total =
      diagnostics.swaps.reduce((sum, s) => sum + s.sizeKb, 0) || (diagnostics.memory.swapTotalKb ?? null);
    if (total !== null) return total > 0;
  }
  // The agent reports 0 % used without swap too: only a use above 0 says there is some.
  if (swap?.points.some((p) => p.value > 0)) return true;
  return null;
}

function metricsRead(raw: AnalyzePressureInput['series'], series: MemorySeries[]): MetricsRead {
  if (raw === null)
    return { status: 'not-asked', detail: 'no metrics reader (a local replay without a series file)' };
  if (!Array.isArray(raw)) return { status: 'failed', detail: raw.failed };
  if (series.every((s) => s.points.length === 0))
    return {
      status: 'none',
      detail: 'CloudWatch holds no memory datapoint of this instance in the last hour (CWAgent, InstanceId)',
    };
  return { status: 'read', detail: null };
}

/** The rule of `ExhaustionEstimate`. */
function estimate(
  available: ExhaustionProjection | null,
  swap: ExhaustionProjection | null,
): ExhaustionEstimate | null {
  const soon = (p: ExhaustionProjection | null): number | null =>
    p && (p.kind === 'soon' || p.kind === 'at-end') ? p.minutes : null;
  const a = soon(available);
  const s = soon(swap);
  if (swap === null)
    return a === null ? null : { minutes: a, bound: 'about', from: ['mem_available_percent'] };
  if (a !== null && s !== null)
    return { minutes: Math.max(a, s), bound: 'about', from: ['mem_available_percent', 'swap_used_percent'] };
  if (a !== null) return { minutes: a, bound: 'at least', from: ['mem_available_percent'] };
  if (s !== null) return { minutes: s, bound: 'at least', from: ['swap_used_percent'] };
  return null;
}
