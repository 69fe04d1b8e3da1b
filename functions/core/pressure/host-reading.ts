import type { DiagnosticsSummary } from '../diagnostics/model';
import type { MemoryMetricName } from '../metrics/memory-series';

/**
 * What the host's own diagnostics read when they ran, minutes after the alarm's datapoint, and whether that
 * confirms the warning. The alarm is CloudWatch's reading of the agent's metric: a host that, asked directly,
 * has plenty of memory available (the process that grew has exited, the datapoint was a spike) is not under
 * pressure, and nothing is changed on it for the warning. The rule: for an available-memory alarm, the host's
 * MemAvailable/MemTotal is at most the alarm's threshold plus `CONFIRM_MARGIN_POINTS` (memory moves between the
 * datapoint and the diagnosis); for a swap alarm, the host's used swap share is at least the threshold less the
 * margin. Without a threshold, the seed's thresholds (15 % available, 50 % swap used) stand in.
 */
export const CONFIRM_MARGIN_POINTS = 5;
export const DEFAULT_THRESHOLDS: Readonly<Record<MemoryMetricName, number>> = {
  mem_available_percent: 15,
  swap_used_percent: 50,
};

export interface HostReading {
  /** When the diagnostics read /proc/meminfo (ISO 8601), when they said. */
  at: string | null;
  totalKb: number | null;
  availableKb: number | null;
  /** MemAvailable / MemTotal, percent; null when either is unknown. */
  availablePercent: number | null;
  swapTotalKb: number | null;
  swapFreeKb: number | null;
  /** Used swap / total swap, percent; null without swap or figures. */
  swapUsedPercent: number | null;
  confirmation:
    | { status: 'confirmed'; detail: string }
    | { status: 'not-confirmed'; detail: string }
    | { status: 'unknown'; detail: string };
}

export function hostReading(
  diagnostics: DiagnosticsSummary | null,
  alarm: { metric: MemoryMetricName | null; threshold: number | null },
): HostReading {
  const memory = diagnostics?.memory;
  const totalKb = memory?.totalKb ?? null;
  const availableKb = memory?.availableKb ?? null;
  const swapTotalKb = memory?.swapTotalKb ?? null;
  const swapFreeKb = memory?.swapFreeKb ?? null;
  const availablePercent = totalKb && availableKb !== null ? round1((availableKb / totalKb) * 100) : null;
  const swapUsedPercent =
    swapTotalKb && swapFreeKb !== null ? round1(((swapTotalKb - swapFreeKb) / swapTotalKb) * 100) : null;
  const base = {
    at: diagnostics?.collectedAt ?? null,
    totalKb,
    availableKb,
    availablePercent,
    swapTotalKb,
    swapFreeKb,
    swapUsedPercent,
  };
  if (!diagnostics)
    return { ...base, confirmation: { status: 'unknown', detail: 'the diagnostics did not run' } };
  const metric = alarm.metric ?? 'mem_available_percent';
  const threshold = alarm.threshold ?? DEFAULT_THRESHOLDS[metric];
  if (metric === 'swap_used_percent') {
    if (swapTotalKb === 0)
      return { ...base, confirmation: { status: 'not-confirmed', detail: 'the host has no swap active' } };
    if (swapUsedPercent === null)
      return { ...base, confirmation: { status: 'unknown', detail: 'the host did not report its swap use' } };
    const floor = threshold - CONFIRM_MARGIN_POINTS;
    return swapUsedPercent >= floor
      ? {
          ...base,
          confirmation: {
            status: 'confirmed',
            detail: `the host read ${swapUsedPercent} % of swap used (alarm at ${threshold} %)`,
          },
        }
      : {
          ...base,
          confirmation: {
            status: 'not-confirmed',
            detail: `the host read only ${swapUsedPercent} % of swap used (alarm at ${threshold} %)`,
          },
        };
  }
  if (availablePercent === null)
    return { ...base, confirmation: { status: 'unknown', detail: 'the host did not report MemAvailable' } };
  const ceiling = threshold + CONFIRM_MARGIN_POINTS;
  return availablePercent <= ceiling
    ? {
        ...base,
        confirmation: {
          status: 'confirmed',
          detail: `the host read ${availablePercent} % available (alarm at ${threshold} %)`,
        },
      }
    : {
        ...base,
        confirmation: {
          status: 'not-confirmed',
          detail: `the host read ${availablePercent} % available, above the alarm's ${threshold} %`,
        },
      };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
