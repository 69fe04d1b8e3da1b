import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RESTART_SERVICE_EXIT_STATUSES } from '../../../functions/core/ssm/exit-statuses';
import { parseScriptResult } from '../../../functions/core/ssm/script-result';
import { makeTemp, removeTemp, runScript, type ScriptRun, stubBin } from './support/run-script';

/** The state the stub systemctl starts from; see test/lib/ssm/stubs/systemctl. */
interface UnitSetup {
  load?: string;
  active?: string;
  sub?: string;
  result?: string;
  nrestarts?: string;
  'on-restart'?: 'succeed' | 'fail' | 'stay-activating';
  'activate-after'?: string;
  unavailable?: string;
}

function expectOutcome(run: ScriptRun, code: number, result: string, reason: string): void {
  expect(run.code, run.stdout + run.stderr).toBe(code);
  const parsed = parseScriptResult(run.stdout);
  expect(parsed?.status).toBe(result);
  expect(parsed?.reason ?? 'none').toBe(reason);
  expect(RESTART_SERVICE_EXIT_STATUSES[code]?.reasons).toContain(reason);
  expect(parsed?.message).toBeTruthy();
}

describe('restart-service with a stub systemctl', () => {
  let state: string;
  let bin: string;

  beforeEach(() => {
    state = makeTemp('systemctl');
    bin = stubBin(['systemctl']);
  });
  afterEach(() => {
    removeTemp(state);
    removeTemp(bin);
  });

  const setUp = (setup: UnitSetup) => {
    for (const [file, value] of Object.entries(setup)) writeFileSync(join(state, file), `${value}\n`);
  };
  const restart = (unit: string, dryRun = 'false', memcgPath = '') =>
    runScript(
      'restart-service',
      {
        SSM_unit: unit,
        SSM_memcgPath: memcgPath,
        SSM_dryRun: dryRun,
        STUB_SYSTEMCTL_DIR: state,
        OOM_RESPONDER_WAIT_SECONDS: '2',
        OOM_RESPONDER_SETTLE_SECONDS: '0',
      },
      { pathFirst: [bin] },
    );
  const calls = () =>
    existsSync(join(state, 'calls.log')) ? readFileSync(join(state, 'calls.log'), 'utf8') : '';
  const restarts = () =>
    calls()
      .split('\n')
      .filter((line) => line.startsWith('restart')).length;

  it('does nothing when systemd has already brought the unit back', async () => {
    setUp({ active: 'active', sub: 'running', result: 'oom-kill', nrestarts: '1' });
    const result = await restart('myapp.service');
    expectOutcome(result, 0, 'already-ok', 'already-active');
    expect(parseScriptResult(result.stdout)?.fields).toMatchObject({
      before: 'active/running',
      nRestarts: '1',
    });
    expect(result.stdout).toContain('Result=oom-kill NRestarts=1');
    expect(restarts()).toBe(0);
  });

  it('restarts a failed unit and verifies it is active, reporting before and after', async () => {
    setUp({ active: 'failed', sub: 'failed', result: 'oom-kill', 'on-restart': 'succeed' });
    const result = await restart('myapp.service');
    expectOutcome(result, 0, 'done', 'none');
    expect(parseScriptResult(result.stdout)?.fields).toMatchObject({
      before: 'failed/failed',
      after: 'active/running',
      verification: 'active-after-0s',
    });
    expect(calls()).toContain('restart -- myapp.service');
    expect(restarts()).toBe(1);
  });

  it('restarts an inactive unit (OOMPolicy=stop left it dead)', async () => {
    setUp({ active: 'inactive', sub: 'dead', result: 'oom-kill', 'on-restart': 'succeed' });
    expectOutcome(await restart('worker@2.service'), 0, 'done', 'none');
    expect(restarts()).toBe(1);
  });

  it('waits for systemd’s own restart instead of racing it', async () => {
    setUp({ active: 'activating', sub: 'auto-restart', result: 'oom-kill', 'activate-after': '1' });
    const result = await restart('myapp.service');
    expectOutcome(result, 0, 'already-ok', 'systemd-restarted');
    expect(restarts()).toBe(0);
  });

  it('fails with its own status when systemctl restart fails', async () => {
    setUp({ active: 'failed', sub: 'failed', 'on-restart': 'fail' });
    const result = await restart('myapp.service');
    expectOutcome(result, 5, 'failed', 'restart-failed');
    expect(parseScriptResult(result.stdout)?.fields.after).toBe('failed/failed');
  });

  it('fails with its own status when the unit never becomes active', async () => {
    setUp({ active: 'failed', sub: 'failed', 'on-restart': 'stay-activating' });
    const result = await restart('myapp.service');
    expectOutcome(result, 6, 'failed', 'not-active');
    expect(parseScriptResult(result.stdout)?.fields.after).toBe('activating/auto-restart');
  });

  it('refuses a drill, dry run or not, without asking systemd anything', async () => {
    setUp({ active: 'failed', sub: 'failed', result: 'oom-kill', 'on-restart': 'succeed' });
    for (const dryRun of ['false', 'true']) {
      const result = await runScript(
        'restart-service',
        {
          SSM_unit: 'myapp.service',
          SSM_memcgPath: '',
          SSM_dryRun: dryRun,
          SSM_drill: 'true',
          STUB_SYSTEMCTL_DIR: state,
          OOM_RESPONDER_WAIT_SECONDS: '2',
          OOM_RESPONDER_SETTLE_SECONDS: '0',
        },
        { pathFirst: [bin] },
      );
      expectOutcome(result, 9, 'refused', 'drill');
      expect(result.stdout).toContain('restart-service: refused: a drill never changes a host');
    }
    expect(calls()).toBe('');
  });

  it('restarts as before when the drill flag is false', async () => {
    setUp({ active: 'failed', sub: 'failed', result: 'oom-kill', 'on-restart': 'succeed' });
    const result = await runScript(
      'restart-service',
      {
        SSM_unit: 'myapp.service',
        SSM_memcgPath: '',
        SSM_dryRun: 'false',
        SSM_drill: 'false',
        STUB_SYSTEMCTL_DIR: state,
        OOM_RESPONDER_WAIT_SECONDS: '2',
        OOM_RESPONDER_SETTLE_SECONDS: '0',
      },
      { pathFirst: [bin] },
    );
    expectOutcome(result, 0, 'done', 'none');
    expect(restarts()).toBe(1);
  });

  it('refuses a unit systemd does not know', async () => {
    setUp({ load: 'not-found', active: 'inactive', sub: 'dead' });
    expectOutcome(await restart('nosuch.service'), 4, 'refused', 'unit-not-loaded');
    expect(restarts()).toBe(0);
  });

  it('refuses protected units without asking systemd anything', async () => {
    for (const unit of [
      'amazon-ssm-agent.service',
      'snap.amazon-ssm-agent.amazon-ssm-agent.service',
      'sshd.service',
      'systemd-journald.service',
      'dbus.service',
      'user@1000.service',
      'docker.service',
      'containerd.service',
      'kubelet.service',
      'rsyslog.service',
      'amazon-cloudwatch-agent.service',
      'chronyd.service',
      'chrony.service',
      'systemd-networkd.service',
      'NetworkManager.service',
      'networking.service',
    ]) {
      expectOutcome(await restart(unit), 3, 'refused', 'protected-unit');
    }
    expect(calls()).toBe('');
  });

  it('restarts a unit whose name only starts like a protected one', async () => {
    setUp({ active: 'failed', sub: 'failed', 'on-restart': 'succeed' });
    expectOutcome(await restart('docker-registry.service'), 0, 'done', 'none');
    expect(restarts()).toBe(1);
  });

  it('refuses a unit the killed task ran under a user manager, without asking systemd anything', async () => {
    setUp({ active: 'failed', sub: 'failed', 'on-restart': 'succeed' });
    const memcg = '/user.slice/user-1000.slice/user@1000.service/app.slice/myapp-web.service';
    const result = await restart('myapp-web.service', 'false', memcg);
    expectOutcome(result, 8, 'refused', 'user-unit');
    expect(result.stdout).toContain(
      'refused: myapp-web.service ran under the user manager of uid 1000 (user@1000.service)',
    );
    expect(calls()).toBe('');
  });

  it('restarts a system unit whose cgroup it is given', async () => {
    setUp({ active: 'failed', sub: 'failed', 'on-restart': 'succeed' });
    const result = await restart('myapp-web.service', 'false', '/system.slice/myapp-web.service');
    expectOutcome(result, 0, 'done', 'none');
    expect(restarts()).toBe(1);
  });

  it('refuses a memory cgroup path that could climb out of the tree or carry a command', async () => {
    for (const memcg of ['/system.slice/../user.slice', '/a b', 'system.slice/x.service', '/$(id)']) {
      expectOutcome(await restart('myapp.service', 'false', memcg), 2, 'refused', 'invalid-parameter');
    }
    expect(calls()).toBe('');
  });

  it('refuses units that are not services, templates and injection attempts as invalid', async () => {
    for (const unit of [
      'myapp.socket',
      'myapp@.service',
      '-myapp.service',
      'my app.service',
      'a;b.service',
      '',
    ]) {
      const result = await restart(unit);
      expectOutcome(result, 2, 'refused', 'invalid-parameter');
      expect(parseScriptResult(result.stdout)?.fields.unit).toBe('-');
    }
    expectOutcome(await restart('myapp.service', 'maybe'), 2, 'refused', 'invalid-parameter');
    expect(calls()).toBe('');
  });

  it('says what it would do in a dry run and restarts nothing', async () => {
    setUp({ active: 'failed', sub: 'failed', 'on-restart': 'succeed' });
    const result = await restart('myapp.service', 'true');
    expectOutcome(result, 0, 'dry-run', 'none');
    expect(result.stdout).toContain('dry run: would restart myapp.service (now failed/failed)');
    expect(restarts()).toBe(0);
  });

  it('reports an active unit in a dry run as already active', async () => {
    setUp({ active: 'active', sub: 'running' });
    expectOutcome(await restart('myapp.service', 'true'), 0, 'dry-run', 'already-active');
  });

  it('fails with its own status when systemd does not answer', async () => {
    setUp({ unavailable: 'yes' });
    expectOutcome(await restart('myapp.service'), 7, 'failed', 'systemd-unavailable');
  });

  it('in a dry run, says systemd does not answer without failing', async () => {
    setUp({ unavailable: 'yes' });
    expectOutcome(await restart('myapp.service', 'true'), 0, 'dry-run', 'systemd-unavailable');
  });
});

describe.skipIf(existsSync('/run/systemd/system'))(
  'restart-service on this host without systemd as PID 1',
  () => {
    it('fails with systemd-unavailable using the real systemctl', async () => {
      const result = await runScript('restart-service', { SSM_unit: 'myapp.service', SSM_dryRun: 'false' });
      expectOutcome(result, 7, 'failed', 'systemd-unavailable');
    });

    it('reports a dry run as a dry run that a real run could not do', async () => {
      const result = await runScript('restart-service', { SSM_unit: 'myapp.service', SSM_dryRun: 'true' });
      expectOutcome(result, 0, 'dry-run', 'systemd-unavailable');
      expect(result.stdout).toContain(
        'restart-service: dry run: would restart myapp.service, but a real run would fail now: systemd did not answer (not running, or busy for 10 s)',
      );
    });
  },
);
