import { describe, expect, it } from 'vitest';
import {
  InvalidAnalysisInputError,
  planRemediation,
  type RecentAction,
} from '../../../../functions/core/analysis';
import type { CgroupState, CgroupSwapLimit, UnitState } from '../../../../functions/core/diagnostics/model';
import { type PolicyInput, parsePolicy } from '../../../../functions/core/policy/policy';
import { diagnostics } from '../../../support/diagnostics';
import { analyzeIncident, INSTANCE, incidentFrom, NOW } from './incidents';

// Real: stress-ng-vm took a whole 8 GiB host without swap.
const HOST_OOM = 'modern/global-oom-6.11-stress-ng-complete.log';
// Real (captured on the CI host): php-fpm killed in app.service at its cgroup's limit.
const SERVICE_OOM = 'modern/host-v1-memcg-nested-php-fpm.log';
// Real (equinor/ert#7797): a global kill of perl whose task_memcg is the user manager's own cgroup.
const USER_MANAGER_OOM = 'transports/public-dmesg-iso-grep-ert-7797.log';
const ID = INSTANCE.instanceId ?? '';

const policy = (input: PolicyInput) => parsePolicy(input);
const swapOn = policy({ addSwap: { enabled: true } });
const restartOn = policy({ restartService: { enabled: true, allowedUnits: ['app.service'] } });
const minutesAgo = (minutes: number) => new Date(Date.parse(NOW) - minutes * 60_000).toISOString();
const done = (action: RecentAction['action'], minutes: number, instanceId = ID): RecentAction => ({
  action,
  instanceId,
  at: minutesAgo(minutes),
});
const unit = (state: Partial<UnitState>): UnitState => ({
  name: 'app.service',
  activeState: 'failed',
  subState: 'failed',
  result: 'oom-kill',
  nRestarts: 0,
  memoryMaxBytes: null,
  memoryCurrentBytes: null,
  oomPolicy: 'stop',
  ...state,
});

describe('the remediation plan', () => {
  it('plans nothing under the default policy and says why', () => {
    const { plan } = analyzeIncident(incidentFrom(HOST_OOM), diagnostics());
    expect(plan).toEqual({
      steps: [],
      skipped: [
        { action: 'add-swap', reason: 'policy: add-swap is off' },
        { action: 'restart-service', reason: 'policy: restart-service is off' },
      ],
    });
  });

  describe('add-swap', () => {
    it('adds swap when enabled, none is active and the disk has room', () => {
      const { plan } = analyzeIncident(incidentFrom(HOST_OOM), diagnostics(), { policy: swapOn });
      expect(plan.steps).toEqual([
        {
          action: 'add-swap',
          parameters: {
            sizeMiB: '2048',
            path: '/swapfile.oom-responder',
            maxDiskSharePercent: '25',
            dryRun: 'false',
          },
          dryRun: false,
          reason:
            'add a 2.0 GiB swap file at /swapfile.oom-responder: no swap is active and / has 15 GiB free (the file takes 14%, policy allows 25%)',
        },
      ]);
    });

    describe('for a kill confined to a memory cgroup', () => {
      // The real kill's task_memcg (SERVICE_OOM, at the cgroup's 40 MiB limit), and the state diagnostics report.
      const KILLED = '/process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest4/app.service';
      const PLANNED =
        'add a 2.0 GiB swap file at /swapfile.oom-responder: no swap is active and / has 15 GiB free (the file takes 14%, policy allows 25%)';
      const cgroupState = (path: string, swap: CgroupSwapLimit | null): CgroupState => ({
        version: 1,
        path,
        limitBytes: 41_943_040,
        usageBytes: 41_000_000,
        oomKills: 1,
        swap,
      });
      const planFor = (cgroup: CgroupState) =>
        analyzeIncident(incidentFrom(SERVICE_OOM), diagnostics({ cgroup }), { policy: swapOn }).plan;

      it.each([
        [
          'v1 memory+swap capped at the memory limit',
          cgroupState(KILLED, { limitBytes: 0, source: 'memory.memsw.limit_in_bytes' }),
          `host swap cannot help: ${KILLED} may not swap (memory+swap is capped at the memory limit); raise the cgroup's limit or let it swap instead`,
        ],
        [
          'v1 memory.swappiness 0',
          cgroupState(KILLED, { limitBytes: 0, source: 'memory.swappiness' }),
          `host swap cannot help: ${KILLED} may not swap (memory.swappiness is 0); raise the cgroup's limit or let it swap instead`,
        ],
        [
          'memory.swap.max 0 on the parent of a cgroup that is gone',
          cgroupState('/process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest4', {
            limitBytes: 0,
            source: 'memory.swap.max',
          }),
          `host swap cannot help: ${KILLED} may not swap (memory.swap.max is 0 on /process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest4); raise the cgroup's limit or let it swap instead`,
        ],
      ])('does not add swap when the cgroup may not swap: %s', (_, cgroup, reason) => {
        const plan = planFor(cgroup);
        expect(plan.steps).toEqual([]);
        expect(plan.skipped).toContainEqual({ action: 'add-swap', reason });
      });

      it('adds swap when the cgroup may swap', () => {
        const plan = planFor(
          cgroupState(KILLED, { limitBytes: 32 * 1024 * 1024, source: 'memory.memsw.limit_in_bytes' }),
        );
        expect(plan.steps.map((step) => step.reason)).toEqual([PLANNED]);
      });

      it.each([
        ['the diagnostics do not say', cgroupState(KILLED, null), 'the diagnostics do not say'],
        [
          'only a parent of a cgroup that is gone says it may',
          cgroupState('/process_api/a68d4637c9b3d8cc6d9a03c843befa7b', {
            limitBytes: null,
            source: 'memory.memsw.limit_in_bytes',
          }),
          'it is gone; its parent /process_api/a68d4637c9b3d8cc6d9a03c843befa7b may swap',
        ],
        [
          'the diagnostics describe another cgroup',
          cgroupState('/system.slice/other.service', { limitBytes: 0, source: 'memory.swap.max' }),
          'the diagnostics describe /system.slice/other.service',
        ],
      ])('adds swap, saying so, when whether it may swap is unknown: %s', (_, cgroup, why) => {
        const plan = planFor(cgroup);
        expect(plan.steps.map((step) => step.reason)).toEqual([
          `${PLANNED}; whether ${KILLED} may swap is unknown (${why})`,
        ]);
      });

      it('does not ask about a host-wide kill, whatever a cgroup says', () => {
        const { plan } = analyzeIncident(
          incidentFrom(HOST_OOM),
          diagnostics({ cgroup: cgroupState('/', { limitBytes: 0, source: 'memory.swap.max' }) }),
          { policy: swapOn },
        );
        expect(plan.steps.map((step) => step.reason)).toEqual([PLANNED]);
      });
    });

    it('only reports what it would do under a dry-run policy', () => {
      const { plan } = analyzeIncident(incidentFrom(HOST_OOM), diagnostics(), {
        policy: policy({ addSwap: { enabled: true, dryRun: true, sizeMiB: 1024, path: '/var/swapfile' } }),
      });
      expect(plan.steps[0]?.dryRun).toBe(true);
      expect(plan.steps[0]?.parameters).toEqual({
        sizeMiB: '1024',
        path: '/var/swapfile',
        maxDiskSharePercent: '25',
        dryRun: 'true',
      });
      expect(plan.steps[0]?.reason).toMatch(/^dry run: would add a 1\.0 GiB swap file at \/var\/swapfile/);
    });

    it('keeps to the per-instance hourly limit', () => {
      const incident = incidentFrom(HOST_OOM);
      const limited = analyzeIncident(incident, diagnostics(), {
        policy: swapOn,
        recentActions: [done('add-swap', 20)],
      });
      expect(limited.plan.steps).toEqual([]);
      expect(limited.plan.skipped).toContainEqual({
        action: 'add-swap',
        reason: `limit reached: 1 add-swap on ${ID} in the last hour (policy allows 1 per instance per hour)`,
      });
      // Older than an hour, another instance, or another action: not counted.
      const free = analyzeIncident(incident, diagnostics(), {
        policy: swapOn,
        recentActions: [
          done('add-swap', 61),
          done('add-swap', 5, 'i-0fedcba9876543210'),
          done('restart-service', 5),
        ],
      });
      expect(free.plan.steps.map((step) => step.action)).toEqual(['add-swap']);
      const twice = analyzeIncident(incident, diagnostics(), {
        policy: policy({ addSwap: { enabled: true, maxPerInstancePerHour: 2 } }),
        recentActions: [done('add-swap', 20)],
      });
      expect(twice.plan.steps.map((step) => step.action)).toEqual(['add-swap']);
    });

    it('counts a recent action whose time cannot be read: when in doubt, do less', () => {
      const { plan } = analyzeIncident(incidentFrom(HOST_OOM), diagnostics(), {
        policy: swapOn,
        recentActions: [{ action: 'add-swap', instanceId: ID, at: 'yesterday' }],
      });
      expect(plan.steps).toEqual([]);
    });

    it.each([
      [
        'swap is already active',
        diagnostics({
          swaps: [{ path: '/swapfile', type: 'file', sizeKb: 2_097_148, usedKb: 1_048_576, priority: -2 }],
          memory: { swapTotalKb: 2_097_148 },
        }),
        'swap is already active (2.0 GiB on /swapfile)',
      ],
      [
        'a Kubernetes node',
        diagnostics({ kubernetes: true }),
        "a Kubernetes node: the kubelet expects no swap; fix the pods' memory limits instead",
      ],
      [
        'the disk is short',
        diagnostics({ disk: { path: '/', fsType: 'xfs', totalKb: 8_376_300, availableKb: 6_291_456 } }),
        'a 2.0 GiB swap file would take 33% of the 6.0 GiB free on / (policy allows 25%)',
      ],
      ['free space is unknown', diagnostics({ disk: null }), 'free disk space is unknown'],
      [
        'there are no diagnostics',
        null,
        'no diagnostics: whether swap is active and the disk has room is unknown',
      ],
    ])('refuses when %s', (_, collected, reason) => {
      const { plan } = analyzeIncident(incidentFrom(HOST_OOM), collected, { policy: swapOn });
      expect(plan.steps).toEqual([]);
      expect(plan.skipped).toContainEqual({ action: 'add-swap', reason });
    });

    it('refuses when the kernel report shows swap at the kill, whatever the diagnostics say', () => {
      // Real: a 2 GiB host with 2 GiB of swap, all used ("Total swap = 2097148kB").
      const { plan } = analyzeIncident(
        incidentFrom('legacy/ubuntu1504-3.19-global-mysqld-php5fpm-syslog.log'),
        diagnostics(),
        { policy: swapOn },
      );
      expect(plan.skipped).toContainEqual({
        action: 'add-swap',
        reason: 'swap was already active at the kill (2.0 GiB in the kernel report)',
      });
    });

    it('refuses on a Kubernetes node known from the kill alone', () => {
      const { plan } = analyzeIncident(
        incidentFrom('modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log'),
        diagnostics(),
        { policy: swapOn },
      );
      expect(plan.skipped).toContainEqual({
        action: 'add-swap',
        reason: "a Kubernetes node: the kubelet expects no swap; fix the pods' memory limits instead",
      });
    });
  });

  describe('restart-service', () => {
    it('restarts an allowed unit the OOM killer took, when systemd has not brought it back', () => {
      const { plan } = analyzeIncident(incidentFrom(SERVICE_OOM), diagnostics({ unit: unit({}) }), {
        policy: restartOn,
      });
      expect(plan.steps).toEqual([
        {
          action: 'restart-service',
          // The task_memcg of the kernel report, so the document can check the unit's manager again.
          parameters: {
            unit: 'app.service',
            memcgPath: '/process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest4/app.service',
            dryRun: 'false',
          },
          dryRun: false,
          reason:
            'restart app.service: the OOM killer took it, it is failed (Result=oom-kill, NRestarts=0), and it is on the allow-list',
        },
      ]);
    });

    it('plans the restart when the diagnostics lack the unit state: the document checks the unit is not active first', () => {
      const { plan } = analyzeIncident(incidentFrom(SERVICE_OOM), diagnostics({ unit: null }), {
        policy: policy({
          restartService: { enabled: true, dryRun: true, allowedUnits: ['app*.service'] },
        }),
      });
      expect(plan.steps[0]?.parameters).toEqual({
        unit: 'app.service',
        memcgPath: '/process_api/a68d4637c9b3d8cc6d9a03c843befa7b/oomtest4/app.service',
        dryRun: 'true',
      });
      expect(plan.steps[0]?.reason).toBe(
        'dry run: would restart app.service: the OOM killer took it, its state is unknown (no unit state in the diagnostics); the document restarts it only if it is not active, and it is on the allow-list',
      );
    });

    it('sends no restart without diagnostics: nothing confirmed the kill on the host', () => {
      const { plan } = analyzeIncident(incidentFrom(SERVICE_OOM), null, {
        policy: policy({ restartService: { enabled: true, dryRun: true, allowedUnits: ['app*.service'] } }),
      });
      expect(plan.steps).toEqual([]);
      expect(plan.skipped).toContainEqual({
        action: 'restart-service',
        reason:
          "not sent: the kill is not confirmed by the host's kernel log (the diagnostics did not run, so the host was not asked)",
      });
    });

    it.each([
      [
        'systemd already restarted it',
        unit({ activeState: 'active', subState: 'running', nRestarts: 1 }),
        'systemd already restarted it (NRestarts=1)',
      ],
      [
        'systemd is about to restart it',
        unit({ activeState: 'activating', subState: 'auto-restart', nRestarts: 2 }),
        'systemd is restarting it (auto-restart, NRestarts=2)',
      ],
    ])('leaves it alone when %s', (_, state, reason) => {
      const { plan } = analyzeIncident(incidentFrom(SERVICE_OOM), diagnostics({ unit: state }), {
        policy: restartOn,
      });
      expect(plan.steps).toEqual([]);
      expect(plan.skipped).toContainEqual({ action: 'restart-service', reason });
    });

    it('refuses a unit that is not on the allow-list', () => {
      const { plan } = analyzeIncident(incidentFrom(SERVICE_OOM), null, {
        policy: policy({
          restartService: { enabled: true, allowedUnits: ['web.service', 'worker-*.service'] },
        }),
      });
      expect(plan.skipped).toContainEqual({
        action: 'restart-service',
        reason: 'app.service is not in restartService.allowedUnits',
      });
    });

    it('keeps to the per-instance hourly limit', () => {
      const { plan } = analyzeIncident(incidentFrom(SERVICE_OOM), null, {
        policy: restartOn,
        recentActions: [done('restart-service', 50), done('restart-service', 10)],
      });
      expect(plan.skipped).toContainEqual({
        action: 'restart-service',
        reason: `limit reached: 2 restart-service on ${ID} in the last hour (policy allows 2 per instance per hour)`,
      });
    });

    it.each([
      [
        'a Kubernetes container',
        'modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log',
        "a Kubernetes pod's container was killed: the kubelet restarts it (restartPolicy)",
      ],
      [
        'a docker container',
        'legacy/docker-3.10-memcg-stress-no-timestamps.log',
        'a docker container was killed: its runtime restarts it (--restart policy)',
      ],
      [
        'a scope, not a service',
        'modern/host-v1-memcg-scope-truncated-comm.log',
        'the victim ran in oomtest-3.scope, not a service',
      ],
      ['no unit at all', HOST_OOM, 'the kill named no systemd service'],
    ])('refuses %s', (_, fixture, reason) => {
      const { plan } = analyzeIncident(incidentFrom(fixture), null, {
        policy: restartOn,
      });
      expect(plan.skipped).toContainEqual({ action: 'restart-service', reason });
    });

    it('never restarts a user manager the victim ran in (real: perl in user@21417.service, RHEL 8)', () => {
      const { plan } = analyzeIncident(incidentFrom(USER_MANAGER_OOM), null, { policy: restartOn });
      expect(plan.skipped).toContainEqual({
        action: 'restart-service',
        reason:
          "user@21417.service is the user manager of uid 21417: restarting it would stop all of that user's services; it is never restarted automatically",
      });
    });

    it('never restarts a user’s own service through the system manager, even if its name is allowed', () => {
      // A real cgroup v2 kill under user@1000.service, moved to the path measured in the issue: a user service
      // whose name is on the allow-list.
      const real = incidentFrom('modern/memcg-v2-thunderbird-scope-three-reports-6.5.log');
      const path = '/user.slice/user-1000.slice/user@1000.service/app.slice/myapp-web.service';
      const firstKill = {
        ...real.firstKill,
        taskMemcg: path,
        oomMemcg: path,
        systemdUnit: 'myapp-web.service',
      };
      const { plan } = analyzeIncident({ ...real, firstKill }, null, {
        policy: policy({ restartService: { enabled: true, allowedUnits: ['myapp-web.service'] } }),
      });
      expect(plan.steps).toEqual([]);
      expect(plan.skipped).toContainEqual({
        action: 'restart-service',
        reason:
          'myapp-web.service runs under the user manager of uid 1000 (user@1000.service); it is never restarted through the system manager',
      });
    });

    it('refuses a protected unit even when a policy that bypassed the schema allows it', () => {
      // Real: runc init killed in /system.slice/containerd.service (cpuset constraint, 5.8).
      const allowed = policy({ restartService: { enabled: true } });
      allowed.restartService.allowedUnits = ['containerd.service'];
      const { plan } = analyzeIncident(
        incidentFrom('modern/cpuset-constraint-runc-init-no-timestamps-5.8.log'),
        null,
        { policy: allowed },
      );
      expect(plan.steps).toEqual([]);
      expect(plan.skipped).toContainEqual({
        action: 'restart-service',
        reason: 'containerd.service is a protected unit: it is never restarted automatically',
      });
    });
  });

  it('sends nothing to an instance that was not resolved', () => {
    const incident = incidentFrom(SERVICE_OOM, { instance: { instanceId: null, resolvedBy: 'unresolved' } });
    const { plan } = analyzeIncident(incident, diagnostics(), {
      policy: policy({
        addSwap: { enabled: true },
        restartService: { enabled: true, allowedUnits: ['app.service'] },
      }),
    });
    const reason =
      'the instance behind ip-10-0-1-23 was not resolved to an instance id: nothing can be sent to it';
    expect(plan).toEqual({
      steps: [],
      skipped: [
        { action: 'add-swap', reason },
        { action: 'restart-service', reason },
      ],
    });
  });

  it('is the same plan on its own as inside the analysis', () => {
    const input = {
      incident: incidentFrom(HOST_OOM),
      diagnostics: diagnostics(),
      policy: swapOn,
      recentActions: [],
      now: NOW,
    };
    expect(planRemediation(input)).toEqual(
      analyzeIncident(input.incident, input.diagnostics, { policy: swapOn }).plan,
    );
  });

  it('refuses a `now` that is not a time, since the hourly limits depend on it', () => {
    expect(() => analyzeIncident(incidentFrom(HOST_OOM), null, { now: 'soon' })).toThrow(
      InvalidAnalysisInputError,
    );
  });
});

describe('the remediation plan of a kill the host does not confirm', () => {
  const both = policy({
    addSwap: { enabled: true },
    restartService: { enabled: true, allowedUnits: ['app.service'] },
  });
  const confirmedBy = (source: 'dmesg' | 'journal-kernel') =>
    diagnostics({ killConfirmation: { status: 'confirmed', source, line: null, detail: null } });

  it.each([
    [
      'the kernel log holds no such kill',
      diagnostics({
        killConfirmation: {
          status: 'not-found',
          source: 'dmesg',
          line: null,
          detail: 'no kernel line since 2026-05-17T17:00:41Z minus 300 s kills pid 1234 (php-fpm)',
        },
      }),
      'no kernel line since 2026-05-17T17:00:41Z minus 300 s kills pid 1234 (php-fpm)',
    ],
    [
      'the host could not tell',
      diagnostics({
        killConfirmation: {
          status: 'unknown',
          source: null,
          line: null,
          detail: "neither dmesg -k nor the journal's kernel transport could be read",
        },
      }),
      "neither dmesg -k nor the journal's kernel transport could be read",
    ],
    [
      'the script is too old to look',
      diagnostics({ killConfirmation: null }),
      'the diagnostics script on the host is too old to look',
    ],
    ['there are no diagnostics', null, 'the diagnostics did not run, so the host was not asked'],
  ])('plans no host change when %s, and says why for each', (_, summary, why) => {
    const { plan } = analyzeIncident(incidentFrom(SERVICE_OOM), summary, { policy: both });
    expect(plan.steps).toEqual([]);
    const reasons = plan.skipped.map((skip) => skip.reason);
    expect(reasons).toContain(`not sent: the kill is not confirmed by the host's kernel log (${why})`);
  });

  it('keeps the reason of a remediation the policy would not send anyway', () => {
    const { plan } = analyzeIncident(
      incidentFrom(SERVICE_OOM),
      diagnostics({ killConfirmation: { status: 'unknown', source: null, line: null, detail: 'x' } }),
      { policy: restartOn },
    );
    expect(plan.skipped).toContainEqual({ action: 'add-swap', reason: 'policy: add-swap is off' });
  });

  it.each(['dmesg', 'journal-kernel'] as const)(
    'plans as the policy allows once %s confirms the kill',
    (source) => {
      const { plan } = analyzeIncident(incidentFrom(SERVICE_OOM), confirmedBy(source), { policy: restartOn });
      expect(plan.steps.map((step) => step.action)).toEqual(['restart-service']);
    },
  );
});
