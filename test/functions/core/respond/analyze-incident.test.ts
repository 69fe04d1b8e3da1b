import { beforeEach, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { MemoryIncidentStore } from '../../../../functions/adapters/memory/incident-store';
import { workflowInputFor } from '../../../../functions/core/detect/detect-batch';
import type { RecordKillsRequest } from '../../../../functions/core/detect/ports';
import { DEFAULT_POLICY, type PolicyInput, parsePolicy } from '../../../../functions/core/policy/policy';
import {
  type AnalyzeIncidentConfig,
  analyzeIncident,
  IncidentNotFoundError,
} from '../../../../functions/core/respond/analyze-incident';
import type { AnalyzeEvent } from '../../../../functions/core/workflow/state';
import { realKill, recordRequest } from '../../../support/kills';
import { evidenceTexts } from '../analysis/incidents';
import { CONFIRMED_DIAGNOSTICS_STDOUT, command, DIAGNOSTICS_STDOUT } from './workflow-states';

const INSTANCE = 'i-0a1b2c3d4e5f60789';
const T0 = Date.parse('2026-11-25T18:28:15Z');
const MINUTE = 60_000;
const DOCUMENTS = {
  addSwap: 'OomResponder-AddSwap-1A2B3C4D5E6F',
  restartService: 'OomResponder-RestartService-1A2B3C4D5E6F',
};
const BUCKET = 'oomresponder-diagnostics-123456789012';

function config(
  policy: PolicyInput = {},
  documents: AnalyzeIncidentConfig['documents'] = DOCUMENTS,
): AnalyzeIncidentConfig {
  return { policy: parsePolicy(policy), documents, outputBucket: BUCKET };
}

const ADD_SWAP_ON = { addSwap: { enabled: true } } as const;

/** The state the analyze step receives, as the workflow built it from the detector's input. */
function stateFor(request: RecordKillsRequest, extra: Partial<AnalyzeEvent> = {}): AnalyzeEvent {
  return { ...workflowInputFor(request.incident), ...extra };
}

/** Diagnostics from today's script, which found the kill in the host's `dmesg -k`. */
const collected = {
  diagnostics: command({ Status: 'Success', ResponseCode: 0, stdout: CONFIRMED_DIAGNOSTICS_STDOUT }),
};

let store: MemoryIncidentStore;
beforeEach(() => {
  store = new MemoryIncidentStore();
});

/** Record one incident of the real (sd-pam) memcg kill on the instance, observed at `atMs`. */
async function incidentAt(atMs: number, overrides: Parameters<typeof realKill>[0] = {}) {
  const request = recordRequest(INSTANCE, [
    {
      kill: realKill({ pid: 3000 + (atMs - T0) / 1000, kernelTime: (atMs - T0) / 1000, ...overrides }),
      observedAtMs: atMs,
    },
  ]);
  await store.recordKills(request);
  return request;
}

describe('analyzeIncident', () => {
  it('parses the collected diagnostics and analyzes with them', async () => {
    const request = await incidentAt(T0);
    const result = await analyzeIncident(
      stateFor(request, collected),
      store,
      config(),
      new Date(T0 + MINUTE),
    );
    expect(result.diagnostics).toMatchObject({
      status: 'collected',
      detail: null,
      commandId: 'a1b2c3d4-5678-90ab-cdef-111111111111',
      outputS3Uri: `s3://${BUCKET}/diagnostics/${request.incident.id}/a1b2c3d4-5678-90ab-cdef-111111111111/`,
    });
    expect(result.diagnostics.summary).toMatchObject({ hostname: 'vm', memory: { totalKb: 24_683_664 } });
    expect(result.diagnostics.summary?.killConfirmation).toMatchObject({
      status: 'confirmed',
      source: 'dmesg',
    });
    expect(result.analysis.findings.length).toBeGreaterThan(0);
    expect(result.analysis.likelyCause).toEqual(result.analysis.findings[0]);
  });

  it.each<[string, Partial<AnalyzeEvent>, string]>([
    ['an unresolved instance', { instanceId: null, diagnostics: { unresolved: true } }, 'unmanaged'],
    [
      'an instance whose SSM agent is offline',
      {
        diagnosticsSendError: {
          Error: 'Ssm.InvalidInstanceIdException',
          Cause: 'Instances [[i-0a1b2c3d4e5f60789]] not in a valid state',
        },
      },
      'agent-offline',
    ],
    [
      'an instance out of scope',
      { diagnosticsSendError: { Error: 'Ssm.AccessDeniedException', Cause: 'not authorized to perform' } },
      'unmanaged',
    ],
    [
      'a command that failed',
      { diagnostics: command({ Status: 'Failed', ResponseCode: 1, stderr: 'Killed\n' }) },
      'failed',
    ],
    [
      'a command that timed out',
      {
        diagnostics: command({ Status: 'TimedOut', StatusDetails: 'Execution Timed Out', ResponseCode: -1 }),
      },
      'timed-out',
    ],
    [
      'a command still running after every poll',
      { diagnostics: command({ Status: 'InProgress', ResponseCode: -1 }, undefined, 24) },
      'timed-out',
    ],
  ])('analyzes from the kernel report alone after %s', async (_, extra, status) => {
    const request = await incidentAt(T0);
    const result = await analyzeIncident(stateFor(request, extra), store, config(), new Date(T0 + MINUTE));
    expect(result.diagnostics.status).toBe(status);
    expect(result.diagnostics.summary).toBeNull();
    expect(result.diagnostics.detail).toEqual(expect.any(String));
    // The kernel's report still says what was killed and under which limit.
    expect(result.analysis.findings.map((f) => f.family)).toContain('cgroup-limit');
    expect(result.steps).toEqual([]);
  });

  it('plans nothing with the default policy, and says why for each remediation', async () => {
    const request = await incidentAt(T0);
    const result = await analyzeIncident(
      stateFor(request, collected),
      store,
      { policy: DEFAULT_POLICY, documents: {}, outputBucket: null },
      new Date(T0 + MINUTE),
    );
    expect(result.steps).toEqual([]);
    expect(result.analysis.plan).toEqual({
      steps: [],
      skipped: [
        { action: 'add-swap', reason: 'policy: add-swap is off' },
        { action: 'restart-service', reason: 'policy: restart-service is off' },
      ],
    });
    expect(await store.recentActions(INSTANCE, 0)).toEqual([]);
  });

  it('returns an enabled add-swap ready to send, and records it before it runs', async () => {
    const request = await incidentAt(T0);
    const now = new Date(T0 + MINUTE);
    const result = await analyzeIncident(stateFor(request, collected), store, config(ADD_SWAP_ON), now);
    expect(result.steps).toEqual([
      {
        action: 'add-swap',
        documentName: DOCUMENTS.addSwap,
        parameters: {
          sizeMiB: ['2048'],
          path: ['/swapfile.oom-responder'],
          maxDiskSharePercent: ['25'],
          dryRun: ['false'],
          drill: ['false'],
        },
        dryRun: false,
        // The kill was confined to a memory cgroup; the capture predates the script's cgroup swap keys.
        reason:
          'add a 2.0 GiB swap file at /swapfile.oom-responder: no swap is active and / has 78 GiB free (the file takes 3%, policy allows 25%); whether /process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest1 may swap is unknown (the diagnostics do not say)',
      },
    ]);
    expect(result.analysis.plan.steps.map((s) => s.action)).toEqual(['add-swap']);
    expect(await store.recentActions(INSTANCE, 0)).toEqual([
      { action: 'add-swap', incidentId: request.incident.id, at: now.toISOString() },
    ]);
  });

  it('plans nothing on diagnostics that do not confirm the kill (a script too old to look), saying why', async () => {
    const request = await incidentAt(T0);
    const unconfirmed = {
      diagnostics: command({ Status: 'Success', ResponseCode: 0, stdout: DIAGNOSTICS_STDOUT }),
    };
    const result = await analyzeIncident(
      stateFor(request, unconfirmed),
      store,
      config({ ...ADD_SWAP_ON, restartService: { enabled: true, allowedUnits: ['orders.service'] } }),
      new Date(T0 + MINUTE),
    );
    expect(result.steps).toEqual([]);
    expect(result.analysis.plan.skipped).toContainEqual({
      action: 'add-swap',
      reason:
        "not sent: the kill is not confirmed by the host's kernel log (the diagnostics script on the host is too old to look)",
    });
    expect(await store.recentActions(INSTANCE, 0)).toEqual([]);
  });

  it('skips add-swap for the next incident on the instance within the hour (the per-hour limit)', async () => {
    const first = await incidentAt(T0);
    await analyzeIncident(stateFor(first, collected), store, config(ADD_SWAP_ON), new Date(T0 + MINUTE));
    const second = await incidentAt(T0 + 20 * MINUTE);
    expect(second.incident.id).not.toBe(first.incident.id);
    const result = await analyzeIncident(
      stateFor(second, collected),
      store,
      config(ADD_SWAP_ON),
      new Date(T0 + 21 * MINUTE),
    );
    expect(result.steps).toEqual([]);
    expect(result.analysis.plan.skipped).toContainEqual({
      action: 'add-swap',
      reason: `limit reached: 1 add-swap on ${INSTANCE} in the last hour (policy allows 1 per instance per hour)`,
    });
    expect(await store.recentActions(INSTANCE, 0)).toHaveLength(1);
  });

  it('plans add-swap again once the hour has passed', async () => {
    const first = await incidentAt(T0);
    await analyzeIncident(stateFor(first, collected), store, config(ADD_SWAP_ON), new Date(T0 + MINUTE));
    const later = await incidentAt(T0 + 90 * MINUTE);
    const result = await analyzeIncident(
      stateFor(later, collected),
      store,
      config(ADD_SWAP_ON),
      new Date(T0 + 91 * MINUTE),
    );
    expect(result.steps.map((s) => s.action)).toEqual(['add-swap']);
  });

  it('plans the same step again when the workflow retries the analysis of one incident, recorded once', async () => {
    const request = await incidentAt(T0);
    const state = stateFor(request, collected);
    await analyzeIncident(state, store, config(ADD_SWAP_ON), new Date(T0 + MINUTE));
    const retried = await analyzeIncident(state, store, config(ADD_SWAP_ON), new Date(T0 + MINUTE + 5000));
    expect(retried.steps.map((s) => s.action)).toEqual(['add-swap']);
    expect(await store.recentActions(INSTANCE, 0)).toHaveLength(1);
  });

  it('returns a dry-run step without recording it (it changes nothing, so it counts against no limit)', async () => {
    const request = await incidentAt(T0);
    const result = await analyzeIncident(
      stateFor(request, collected),
      store,
      config({ addSwap: { enabled: true, dryRun: true } }),
      new Date(T0 + MINUTE),
    );
    expect(result.steps).toMatchObject([
      { action: 'add-swap', dryRun: true, parameters: { dryRun: ['true'] } },
    ]);
    expect(result.steps[0]?.reason).toMatch(/^dry run: would add/);
    expect(await store.recentActions(INSTANCE, 0)).toEqual([]);
  });

  it('skips a step whose document is not deployed, saying so, and records nothing', async () => {
    const request = await incidentAt(T0);
    const result = await analyzeIncident(
      stateFor(request, collected),
      store,
      config(ADD_SWAP_ON, { restartService: DOCUMENTS.restartService }),
      new Date(T0 + MINUTE),
    );
    expect(result.steps).toEqual([]);
    expect(result.analysis.plan.steps).toEqual([]);
    expect(result.analysis.plan.skipped).toContainEqual({
      action: 'add-swap',
      reason: 'the add-swap document is not deployed (enable it in the remediation policy)',
    });
    expect(await store.recentActions(INSTANCE, 0)).toEqual([]);
  });

  it('returns a restart of an allow-listed service with its unit as a string list', async () => {
    const request = await incidentAt(T0, { systemdUnit: 'orders.service' });
    const result = await analyzeIncident(
      stateFor(request, collected),
      store,
      config({ restartService: { enabled: true, allowedUnits: ['orders.service'] } }),
      new Date(T0 + MINUTE),
    );
    expect(result.steps).toMatchObject([
      {
        action: 'restart-service',
        documentName: DOCUMENTS.restartService,
        parameters: { unit: ['orders.service'], dryRun: ['false'] },
        dryRun: false,
      },
    ]);
    expect((await store.recentActions(INSTANCE, 0)).map((a) => a.action)).toEqual(['restart-service']);
  });

  it('sends nothing to an unresolved instance, whatever the policy', async () => {
    const request = await incidentAt(T0);
    const unresolved: RecordKillsRequest = {
      ...request,
      instanceKey: 'host:build-runner-7',
      incident: {
        ...request.incident,
        id: 'oom-20261125T182815-00000000000000aa',
        instance: { ...request.incident.instance, instanceId: null, resolvedBy: 'unresolved' },
      },
      kills: request.kills.map((k) => ({ ...k, digest: { ...k.digest, key: `${k.digest.key}#unresolved` } })),
    };
    await store.recordKills(unresolved);
    const result = await analyzeIncident(
      stateFor(unresolved, { diagnostics: { unresolved: true } }),
      store,
      config({ ...ADD_SWAP_ON, restartService: { enabled: true, allowedUnits: ['orders.service'] } }),
      new Date(T0 + MINUTE),
    );
    expect(result.steps).toEqual([]);
    expect(result.analysis.plan.skipped.map((s) => s.reason)).toEqual([
      expect.stringContaining('was not resolved to an instance id'),
      expect.stringContaining('was not resolved to an instance id'),
    ]);
  });

  it('throws IncidentNotFoundError for an incident the store does not hold', async () => {
    const request = recordRequest(INSTANCE, [{ kill: realKill(), observedAtMs: T0 }]);
    await expect(analyzeIncident(stateFor(request), store, config(), new Date(T0))).rejects.toThrow(
      IncidentNotFoundError,
    );
  });

  it('refuses a state that does not match the workflow schema', async () => {
    await expect(analyzeIncident({ incidentId: 'oom-x' }, store, config(), new Date(T0))).rejects.toThrow(
      ZodError,
    );
  });

  it('brings the history of the same process on the instance into the analysis: RSS growing is a leak', async () => {
    await incidentAt(T0, { anonRssKb: 20_000 });
    await incidentAt(T0 + 20 * MINUTE, { anonRssKb: 26_000 });
    const third = await incidentAt(T0 + 40 * MINUTE, { anonRssKb: 32_384 });
    const result = await analyzeIncident(
      stateFor(third, collected),
      store,
      config(),
      new Date(T0 + 41 * MINUTE),
    );
    const leak = result.analysis.findings.find((f) => f.family === 'memory-leak');
    expect(leak?.title).toBe(
      '(sd-pam) keeps growing until it is killed: likely a memory leak (3 kills on this instance)',
    );
    expect(evidenceTexts(leak)[0]).toMatch(/^RSS at kill grew .* over 3 kills in 40 min$/);
  });

  it('reads only the kills before the incident, even when it analyzes late (a replay of a whole log)', async () => {
    const first = await incidentAt(T0, { anonRssKb: 20_000 });
    await incidentAt(T0 + 20 * MINUTE, { anonRssKb: 26_000 });
    await incidentAt(T0 + 40 * MINUTE, { anonRssKb: 32_384 });
    const result = await analyzeIncident(
      stateFor(first, collected),
      store,
      config(),
      new Date(T0 + 41 * MINUTE),
    );
    expect(result.analysis.findings.map((f) => f.family)).not.toContain('memory-leak');
  });

  it('leaves out history older than historyMs, and kills of other processes', async () => {
    await incidentAt(T0 - 8 * 86_400_000, { anonRssKb: 10_000 });
    await incidentAt(T0 - 20 * MINUTE, { process: 'python3', anonRssKb: 10_000 });
    const current = await incidentAt(T0, { anonRssKb: 32_384 });
    const result = await analyzeIncident(
      stateFor(current, collected),
      store,
      config(),
      new Date(T0 + MINUTE),
    );
    expect(result.analysis.findings.map((f) => f.family)).not.toContain('memory-leak');
  });
});

describe('analyzeIncident for a drill', () => {
  const BOTH_ON: PolicyInput = {
    addSwap: { enabled: true },
    restartService: { enabled: true, allowedUnits: ['myapp.service'] },
  };
  const DRILL = { id: 'drill-20261204t2015-7f3a' };

  it('plans no remediation even where the policy enables add-swap and restart-service; the diagnostics are read as usual', async () => {
    // The same confirmed kill, once real and once as a drill: only the drill mark differs.
    const real = await incidentAt(T0);
    const now = new Date(T0 + MINUTE);
    const asReal = await analyzeIncident(stateFor(real, collected), store, config(BOTH_ON), now);
    expect(asReal.steps.map((s) => s.action)).toContain('add-swap');

    const drillStore = new MemoryIncidentStore();
    const request = recordRequest(INSTANCE, [{ kill: realKill({ pid: 3000 }), observedAtMs: T0 }]);
    request.incident = { ...request.incident, drill: DRILL };
    await drillStore.recordKills(request);
    const input = workflowInputFor(request.incident);
    expect(input.drill).toEqual(DRILL);
    const result = await analyzeIncident({ ...input, ...collected }, drillStore, config(BOTH_ON), now);
    expect(result.steps).toEqual([]);
    expect(result.analysis.plan.steps).toEqual([]);
    expect(result.analysis.plan.skipped).toEqual([
      { action: 'add-swap', reason: 'a drill never changes a host' },
      { action: 'restart-service', reason: 'a drill never changes a host' },
    ]);
    // Nothing counts against the instance's limits, and the diagnostics were read (not skipped) as for a real kill.
    expect(await drillStore.recentActions(INSTANCE, 0)).toEqual([]);
    expect(result.diagnostics.status).toBe('collected');
    expect(result.diagnostics.summary).toEqual(asReal.diagnostics.summary);
    expect(result.diagnostics.summary).toBeTruthy();
  });

  it('treats the workflow input’s drill mark alone as a drill', async () => {
    const request = await incidentAt(T0);
    const result = await analyzeIncident(
      stateFor(request, { ...collected, drill: DRILL }),
      store,
      config(BOTH_ON),
      new Date(T0 + MINUTE),
    );
    expect(result.steps).toEqual([]);
    expect(result.analysis.plan.skipped.map((s) => s.reason)).toEqual([
      'a drill never changes a host',
      'a drill never changes a host',
    ]);
  });
});
