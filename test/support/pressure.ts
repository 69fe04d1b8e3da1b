import type { DiagnosticsSummary } from '../../functions/core/diagnostics/model';
import type { PressureSample } from '../../functions/core/diagnostics/pressure-sample';
import type { MemoryMetricName, MemorySeries } from '../../functions/core/metrics/memory-series';
import type { PressureAnalyzeEvent } from '../../functions/core/workflow/pressure-state';
import { diagnostics } from './diagnostics';

/** The instance of every pressure case, as the contributor's `InstanceId` names it. */
export const PRESSURE_INSTANCE = 'i-0abc1234def567890';
/** When the contributor went into ALARM. */
export const WARNED_AT = '2026-11-25T03:12:00.000Z';

/**
 * The workflow's state at the analyze step of a warning from an available-memory alarm at 10 %, whose crossing
 * datapoint read 6 %. Override what a case is about.
 */
export function pressureEvent(overrides: Partial<PressureAnalyzeEvent> = {}): PressureAnalyzeEvent {
  return {
    mode: 'pressure',
    incidentId: 'pressure-20261125T031200-i-0abc1234def567890',
    instanceId: PRESSURE_INSTANCE,
    alarmName: 'OomResponder-MemoryAvailable',
    alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:OomResponder-MemoryAvailable',
    metric: 'mem_available_percent',
    latestValue: 6,
    threshold: 10,
    warnedAt: WARNED_AT,
    ...overrides,
  };
}

/**
 * A series of one point a minute ending at `end` (inclusive), value `at(minutesBeforeEnd)`: stated so a test
 * computes what the projection should say from the same rule.
 */
export function series(
  metric: MemoryMetricName,
  count: number,
  at: (minutesBeforeEnd: number) => number,
  end = WARNED_AT,
): MemorySeries {
  const endMs = Date.parse(end);
  const points = Array.from({ length: count }, (_, i) => {
    const before = count - 1 - i;
    return { at: new Date(endMs - before * 60_000).toISOString(), value: at(before) };
  });
  return { metric, instanceId: PRESSURE_INSTANCE, periodSeconds: 60, points };
}

/** A pressure sample: java growing 1.2 GiB/h between two samples 30 s apart, PSI some 12 %, full 3 %. */
export function pressureSample(overrides: Partial<PressureSample> = {}): PressureSample {
  return {
    stall: {
      some: { avg10: 12.5, avg60: 8.1, avg300: 3.2, totalUs: 91_234_567 },
      full: { avg10: 3.1, avg60: 1.9, avg300: 0.6, totalUs: 21_000_000 },
    },
    smaps: [
      { pid: 4242, comm: 'java', rssKb: 6_291_456, pssKb: 6_200_000, anonymousKb: 6_000_000, swapKb: 0 },
      { pid: 811, comm: 'amazon-ssm-agen', rssKb: 41_000, pssKb: 38_000, anonymousKb: 20_000, swapKb: 0 },
    ],
    growth: [
      {
        pid: 811,
        comm: 'amazon-ssm-agen',
        rssKb: 41_000,
        previousRssKb: 40_990,
        sinceSeconds: 30,
        kbPerHour: 1_200,
      },
      {
        pid: 4242,
        comm: 'java',
        rssKb: 6_291_456,
        previousRssKb: 6_291_456 - 10_486,
        sinceSeconds: 30,
        kbPerHour: 10_486 * 120,
      },
    ],
    previousSampleAt: '2026-11-25T03:13:10Z',
    ...overrides,
  };
}

/**
 * The diagnostics of a host under pressure: 8 GiB, 6 % available (so it confirms an alarm at 10 %), no swap,
 * 20 GiB free on /, with the pressure sample above.
 */
export function pressureDiagnostics(overrides: Partial<DiagnosticsSummary> = {}): DiagnosticsSummary {
  const base = diagnostics({
    instanceId: PRESSURE_INSTANCE,
    collectedAt: '2026-11-25T03:13:40Z',
    memory: { totalKb: 8_000_000, availableKb: 480_000, freeKb: 120_000 },
    disk: { path: '/', fsType: 'xfs', totalKb: 20_000_000, availableKb: 16_000_000 },
  });
  return { ...base, pressure: pressureSample(), ...overrides };
}

/** A collected diagnostics command's state, as the workflow records it, with `stdout` as its output. */
export function collectedCommand(stdout: string) {
  return {
    commandId: '0b5c1f2e-3d4a-4b6c-8d9e-0f1a2b3c4d5e',
    polls: 2,
    invocation: { Status: 'Success', ResponseCode: 0, StandardOutputContent: stdout },
  };
}
