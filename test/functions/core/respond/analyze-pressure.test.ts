import { describe, expect, it } from 'vitest';
import { MemoryIncidentStore } from '../../../../functions/adapters/memory/incident-store';
import type {
  MemoryMetricsReader,
  MemorySeriesQuery,
} from '../../../../functions/core/metrics/memory-series';
import { parsePolicy } from '../../../../functions/core/policy/policy';
import type { AnalyzeIncidentConfig } from '../../../../functions/core/respond/analyze-incident';
import {
  analyzePressureWarning,
  PRESSURE_LOOKBACK_MS,
} from '../../../../functions/core/respond/analyze-pressure';
import { PRESSURE_INSTANCE, pressureEvent, series, WARNED_AT } from '../../../support/pressure';
import { CONFIRMED_DIAGNOSTICS_STDOUT, command } from './workflow-states';

const ADD_SWAP = 'OomResponder-AddSwap-1A2B3C4D5E6F';
const NOW = new Date(Date.parse(WARNED_AT) + 2 * 60_000);
const config = (
  policy = parsePolicy({ addSwap: { enabled: true, preventive: true } }),
): AnalyzeIncidentConfig => ({
  policy,
  documents: { addSwap: ADD_SWAP },
  outputBucket: 'oomresponder-diagnostics-123456789012',
});
// 6 % available now, falling 0.4 points a minute.
const falling = series('mem_available_percent', 60, (before) => 6 + 0.4 * before);
const noSwap = series('swap_used_percent', 60, () => 0);

/** A reader that answers the series above and remembers what it was asked. */
function recordingReader(): MemoryMetricsReader & { queries: MemorySeriesQuery[] } {
  const queries: MemorySeriesQuery[] = [];
  return {
    queries,
    read: async (query) => {
      queries.push(query);
      return [falling, noSwap];
    },
  };
}

/**
 * The real Debian 12 stdout of collect-diagnostics (test/fixtures/diagnostics), with MemAvailable lowered to 6 % of
 * its MemTotal: a host under the pressure the alarm saw. Everything else is as the host printed it.
 */
function pressedStdout(): string {
  const total = Number(/memory\.totalKb=(\d+)/.exec(CONFIRMED_DIAGNOSTICS_STDOUT)?.[1]);
  return CONFIRMED_DIAGNOSTICS_STDOUT.replace(
    /memory\.availableKb=\d+/,
    `memory.availableKb=${Math.round(total * 0.06)}`,
  );
}

const state = (stdout: string) => ({
  ...pressureEvent(),
  diagnostics: command({ Status: 'Success', ResponseCode: 0, stdout }),
});

describe('the analyze step of a memory-pressure warning', () => {
  it('reads the hour before the warning, projects from it, and names the largest process without a growth sample', async () => {
    const reader = recordingReader();
    const store = new MemoryIncidentStore();
    const result = await analyzePressureWarning(
      state(pressedStdout()),
      { store, metrics: reader },
      config(),
      NOW,
    );
    expect(reader.queries).toHaveLength(1);
    const query = reader.queries[0];
    expect(query?.instanceId).toBe(PRESSURE_INSTANCE);
    expect(query?.metrics).toEqual(['mem_available_percent', 'swap_used_percent']);
    expect((query?.to.getTime() ?? 0) - (query?.from.getTime() ?? 0)).toBe(PRESSURE_LOOKBACK_MS);
    expect(query?.to.getTime()).toBe(Date.parse(WARNED_AT) + 60_000);
    expect(result.diagnostics.status).toBe('collected');
    expect(result.analysis.exhaustion?.minutes).toBe(Math.round((6 / 24) * 60));
    // The real stdout's first process (a script older than the pressure sample: no growth measured).
    expect(result.analysis.grower).toEqual({ kind: 'largest', pid: 32379, comm: 'node', rssKb: 348796 });
    expect(result.analysis.host.confirmation.status).toBe('confirmed');
  });

  it('plans a preventive swap ready to send, recorded once however often the step is retried', async () => {
    const store = new MemoryIncidentStore();
    const ports = { store, metrics: recordingReader() };
    const first = await analyzePressureWarning(state(pressedStdout()), ports, config(), NOW);
    expect(first.steps).toEqual([
      expect.objectContaining({
        action: 'add-swap',
        documentName: ADD_SWAP,
        dryRun: false,
        parameters: expect.objectContaining({ sizeMiB: ['2048'], drill: ['false'] }),
      }),
    ]);
    const retried = await analyzePressureWarning(state(pressedStdout()), ports, config(), NOW);
    expect(retried.steps.map((s) => s.action)).toEqual(['add-swap']);
    expect(await store.recentActions(PRESSURE_INSTANCE, 0)).toEqual([
      { action: 'add-swap', incidentId: pressureEvent().incidentId, at: NOW.toISOString() },
    ]);
    // Another warning within the hour is held by the limit this one recorded.
    const next = { ...state(pressedStdout()), incidentId: 'pressure-20261125T033000-i-0abc1234def567890' };
    const limited = await analyzePressureWarning(next, ports, config(), NOW);
    expect(limited.steps).toEqual([]);
    expect(limited.analysis.plan.skipped[0]?.reason).toMatch(
      /^limit reached: 1 add-swap on i-0abc1234def567890/,
    );
  });

  it('plans nothing on the real host as captured: it read plenty available, so the alarm is not confirmed', async () => {
    const store = new MemoryIncidentStore();
    const result = await analyzePressureWarning(
      state(CONFIRMED_DIAGNOSTICS_STDOUT),
      { store, metrics: recordingReader() },
      config(),
      NOW,
    );
    expect(result.analysis.host.confirmation.status).toBe('not-confirmed');
    expect(result.steps).toEqual([]);
    expect(await store.recentActions(PRESSURE_INSTANCE, 0)).toEqual([]);
  });

  it('skips a step whose document is not deployed, and records nothing for a dry run', async () => {
    const store = new MemoryIncidentStore();
    const ports = { store, metrics: recordingReader() };
    const undeployed = await analyzePressureWarning(
      state(pressedStdout()),
      ports,
      { ...config(), documents: {} },
      NOW,
    );
    expect(undeployed.steps).toEqual([]);
    expect(undeployed.analysis.plan.skipped).toEqual([
      {
        action: 'add-swap',
        reason: 'the add-swap document is not deployed (enable it in the remediation policy)',
      },
    ]);
    const dry = await analyzePressureWarning(
      state(pressedStdout()),
      ports,
      config(parsePolicy({ addSwap: { enabled: true, preventive: true, dryRun: true } })),
      NOW,
    );
    expect(dry.steps.map((s) => s.dryRun)).toEqual([true]);
    expect(await store.recentActions(PRESSURE_INSTANCE, 0)).toEqual([]);
  });

  it('still analyzes when CloudWatch cannot be read, and says so', async () => {
    const failing: MemoryMetricsReader = {
      read: async () => {
        throw Object.assign(new Error('User is not authorized to perform: cloudwatch:GetMetricData'), {
          name: 'AccessDeniedException',
        });
      },
    };
    const result = await analyzePressureWarning(
      state(pressedStdout()),
      { store: new MemoryIncidentStore(), metrics: failing },
      config(),
      NOW,
    );
    expect(result.analysis.metrics).toEqual({
      status: 'failed',
      detail:
        'GetMetricData failed: AccessDeniedException: User is not authorized to perform: cloudwatch:GetMetricData',
    });
    expect(result.analysis.exhaustion).toBeNull();
  });

  it('refuses a state that is not a warning', async () => {
    await expect(
      analyzePressureWarning(
        { incidentId: 'x' },
        { store: new MemoryIncidentStore(), metrics: null },
        config(),
        NOW,
      ),
    ).rejects.toThrow();
  });
});
