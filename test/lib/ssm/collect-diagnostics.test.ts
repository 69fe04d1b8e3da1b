import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, hostname, release } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causeContainedOom, containedOomSupport } from '../../../cli/local/contained-oom';
import { SUMMARY_END, SUMMARY_START } from '../../../functions/core/diagnostics/summary-lines';
import { parseDiagnosticsSummary } from '../../../functions/core/diagnostics/summary-parser';
import { scriptPath } from '../../../lib/ssm/script-source';
import { runInMemoryCgroup } from './support/memory-cgroup';
import { makeTemp, readText, removeTemp, runScript, type ScriptRun } from './support/run-script';

const NO_PARAMETERS = { SSM_killTime: '', SSM_unit: '', SSM_pid: '', SSM_memcgPath: '' };
const GNU_TIME = '/usr/bin/time';
const support = containedOomSupport();
const cgroupReason = support.supported ? '' : ` (skipped: ${support.reason})`;

/** The human-readable sections every run prints, in order. */
const SECTIONS = [
  'kernel OOM messages',
  'free -m',
  '/proc/meminfo',
  'top 15 processes by RSS',
  'most frequent process names',
  'swap',
  'virtual memory settings',
  'memory cgroup',
  'containers',
  'kubernetes',
  'JVMs',
  'disk where a swap file would go',
  'largest slab caches',
  'uptime and load',
  'instance (IMDSv2)',
  'probes',
];

function summaryText(stdout: string): string {
  return stdout.slice(0, stdout.indexOf(SUMMARY_END) + SUMMARY_END.length);
}

function sectionTitles(stdout: string): string[] {
  return [...stdout.matchAll(/^--- (.+) ---$/gm)].map((match) => match[1] ?? '');
}

describe('collect-diagnostics run for real on this host', () => {
  let result: ScriptRun;
  let timing: { seconds: number; maxRssKb: number } | null = null;
  let dir: string;

  beforeAll(async () => {
    dir = makeTemp('collect');
    const timeFile = join(dir, 'time');
    const wrapper = existsSync(GNU_TIME) ? [GNU_TIME, '-f', '%e %M', '-o', timeFile] : [];
    result = await runScript('collect-diagnostics', NO_PARAMETERS, { wrapper });
    if (wrapper.length > 0) {
      const [seconds, maxRssKb] = readText(timeFile).trim().split(/\s+/).slice(-2).map(Number);
      timing = { seconds: seconds ?? Number.NaN, maxRssKb: maxRssKb ?? Number.NaN };
    }
  });
  afterAll(() => removeTemp(dir));

  it('exits 0 and prints the summary before anything else', () => {
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(`${SUMMARY_START}\n`)).toBe(true);
    expect(result.stdout).toContain(`\n${SUMMARY_END}\n`);
  });

  it('then prints every human-readable section, in order', () => {
    const titles = sectionTitles(result.stdout.slice(result.stdout.indexOf(SUMMARY_END)));
    const found = SECTIONS.map((wanted) => titles.findIndex((title) => title.startsWith(wanted)));
    expect(found.every((index) => index >= 0)).toBe(true);
    expect([...found].sort((a, b) => a - b)).toEqual(found);
  });

  it('writes a summary the parser reads, holding this host’s facts', () => {
    const summary = parseDiagnosticsSummary(result.stdout);
    const memTotalKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    expect(summary.hostname).toBe(hostname());
    expect(summary.kernelRelease).toBe(release());
    expect(summary.cpuCount).toBe(cpus().length);
    expect(summary.memory.totalKb).toBe(memTotalKb);
    expect(summary.memory.availableKb).toBeGreaterThan(0);
    expect(summary.vm.overcommitMemory).toBe(Number(readFileSync('/proc/sys/vm/overcommit_memory', 'utf8')));
    expect(summary.load).toHaveLength(3);
    expect(summary.topProcesses.length).toBeGreaterThan(0);
    expect(summary.topProcesses.length).toBeLessThanOrEqual(15);
    const rss = summary.topProcesses.map((p) => p.rssKb);
    expect([...rss].sort((a, b) => b - a)).toEqual(rss);
    expect(summary.processTotal).toBeGreaterThanOrEqual(summary.topProcesses.length);
    expect(summary.disk?.path).toBe('/');
    expect(summary.disk?.availableKb).toBeGreaterThan(0);
    expect(summary.oomKillsSinceEvent).toBeNull(); // no killTime: no event to count from
    expect(summary.oomKillsSinceBoot).toBe(
      Number(/^oom_kill (\d+)$/m.exec(readFileSync('/proc/vmstat', 'utf8'))?.[1]),
    );
  });

  it('leaves its own processes (bash, ps) out of the top processes', () => {
    const summary = parseDiagnosticsSummary(result.stdout);
    const script = scriptPath('collect-diagnostics');
    // GNU time, its parent here, is not its own and may be listed.
    const own = summary.topProcesses.filter(
      (p) => p.comm === 'ps' || (p.comm === 'bash' && p.cmdline.includes(script)),
    );
    expect(own).toEqual([]);
  });

  it('records every probe’s outcome, and IMDS fails fast without a network', () => {
    const probes = Object.fromEntries(
      parseDiagnosticsSummary(result.stdout).probes.map((p) => [p.name, p.status]),
    );
    for (const name of [
      'uptime',
      'meminfo',
      'vm',
      'vmstat',
      'swaps',
      'ps',
      'cgroup',
      'containers',
      'df',
      'free',
    ]) {
      expect(probes[name], name).toBe('ok');
    }
    expect(['ok', 'error', 'timeout', 'missing']).toContain(probes.imds);
    expect(probes.dmesg ?? probes.journalctl).toBeDefined();
  });

  it('reads the memory PSI after a kill too (kill mode, the default), and no rollups or growth', () => {
    const summary = parseDiagnosticsSummary(result.stdout);
    const probes = Object.fromEntries(summary.probes.map((p) => [p.name, p.status]));
    expect(probes.smaps).toBeUndefined();
    expect(probes.growth).toBeUndefined();
    if (!existsSync('/proc/pressure/memory')) {
      expect(probes.psi).toBe('missing');
      expect(summary.pressure).toBeNull();
      return;
    }
    expect(probes.psi).toBe('ok');
    const some = /^some avg10=\S+ avg60=\S+ avg300=\S+ total=(\d+)$/m.exec(
      readFileSync('/proc/pressure/memory', 'utf8'),
    );
    // The kernel's running total, read after the script: the script's is no larger.
    expect(summary.pressure?.stall?.some.totalUs).toBeLessThanOrEqual(Number(some?.[1]));
    expect(summary.pressure).toMatchObject({ smaps: [], growth: [], previousSampleAt: null });
  });

  it('keeps the summary well inside the 24,000 characters GetCommandInvocation returns', () => {
    expect(summaryText(result.stdout).length).toBeLessThanOrEqual(20_000);
  });

  it.skipIf(!existsSync(GNU_TIME))(
    'finishes within 3 s of wall time and 16 MB of peak RSS (GNU time)',
    () => {
      expect(timing?.seconds).toBeLessThanOrEqual(3);
      expect(timing?.maxRssKb).toBeLessThanOrEqual(16 * 1024);
    },
  );
});

describe('collect-diagnostics with JVMs and huge command lines present', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  let result: ScriptRun;
  let java: ChildProcess;
  let big: ChildProcess;

  beforeAll(async () => {
    dir = makeTemp('jvm');
    // A process whose comm is `java` (bash started through a symlink of that name) with heap flags.
    symlinkSync('/bin/bash', join(dir, 'java'));
    java = spawn(join(dir, 'java'), ['-c', 'sleep 60; :', '-Xms1g', '-Xmx2g', '-XX:MaxRAMPercentage=62.5'], {
      stdio: 'ignore',
    });
    // A large process (it must rank in the top 15) with a 200 KB command line (one argument holds 128 KiB at most).
    const hold =
      'const b = Buffer.alloc(300 * 1024 * 1024, 1); process.stdout.write("ready\\n"); setInterval(() => b, 1e4);';
    big = spawn(process.execPath, ['-e', hold, 'x'.repeat(100_000), 'y'.repeat(100_000)], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(java, big);
    await new Promise((resolve) => big.stdout?.once('data', resolve));
    result = await runScript('collect-diagnostics', NO_PARAMETERS);
  });
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    removeTemp(dir);
  });

  it('reports the JVM’s -Xmx in bytes and its MaxRAMPercentage', () => {
    const jvm = parseDiagnosticsSummary(result.stdout).jvms.find((j) => j.pid === java.pid);
    expect(jvm).toEqual({
      pid: java.pid,
      maxHeapBytes: 2 * 1024 ** 3,
      maxRamPercentage: 62.5,
      rssKb: expect.any(Number),
    });
  });

  it('truncates a huge command line to 300 characters and keeps the summary small', () => {
    const top = parseDiagnosticsSummary(result.stdout).topProcesses.find((p) => p.pid === big.pid);
    expect(top?.cmdline.startsWith(process.execPath)).toBe(true);
    expect(top?.cmdline.length).toBeLessThanOrEqual(300);
    expect(summaryText(result.stdout).length).toBeLessThanOrEqual(20_000);
  });
});

describe('collect-diagnostics on a Kubernetes node and for a unit without systemd', () => {
  it('reports a Kubernetes node from the kubelet config file', async () => {
    const dir = makeTemp('kubelet');
    try {
      writeFileSync(join(dir, 'config.yaml'), 'kind: KubeletConfiguration\n');
      const result = await runScript('collect-diagnostics', {
        ...NO_PARAMETERS,
        OOM_RESPONDER_KUBELET_CONFIG: join(dir, 'config.yaml'),
      });
      expect(parseDiagnosticsSummary(result.stdout).kubernetes).toBe(true);
    } finally {
      removeTemp(dir);
    }
  });

  it('keeps the unit’s name and says systemctl could not tell its state', async () => {
    const result = await runScript('collect-diagnostics', { ...NO_PARAMETERS, SSM_unit: 'myapp.service' });
    const summary = parseDiagnosticsSummary(result.stdout);
    expect(result.code).toBe(0);
    expect(summary.unit?.name).toBe('myapp.service');
    expect(sectionTitles(result.stdout)).toContain('systemd unit myapp.service');
    // This host has no systemd as PID 1; where it has, the state is read for real.
    if (!existsSync('/run/systemd/system')) {
      expect(summary.unit?.activeState).toBeNull();
      expect(summary.probes).toContainEqual({ name: 'systemctl', status: 'error' });
    }
  });
});

describe.skipIf(!support.supported)(
  `collect-diagnostics inside a 64 MiB memory cgroup${cgroupReason}`,
  () => {
    it('exits 0 and prints the whole summary without an OOM kill in the cgroup', async () => {
      const result = await runInMemoryCgroup(64, ['bash', scriptPath('collect-diagnostics')], {
        ...process.env,
        ...NO_PARAMETERS,
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`\n${SUMMARY_END}\n`);
      expect(parseDiagnosticsSummary(result.stdout).probes.length).toBeGreaterThan(10);
      expect(result.oomKills).toBe(0);
      expect(result.peakBytes).toBeLessThan(64 * 1024 * 1024);
    });
  },
);

describe.skipIf(!support.supported)(
  `collect-diagnostics after a real, contained OOM kill${cgroupReason}`,
  () => {
    it('counts the kill since the event and shows the victim’s pid in the kernel section', async () => {
      const killTime = new Date(Date.now() - 1000).toISOString();
      const oom = await causeContainedOom({ comm: 'oomr-victim' });
      const memcgPath = oom.cgroupPath.replace(/^\/sys\/fs\/cgroup(?:\/memory)?/, '');
      const result = await runScript('collect-diagnostics', {
        SSM_killTime: killTime,
        SSM_unit: '',
        SSM_pid: String(oom.pid),
        SSM_memcgPath: memcgPath,
      });
      const summary = parseDiagnosticsSummary(result.stdout);
      expect(result.code).toBe(0);
      expect(summary.oomKillsSinceEvent).toBeGreaterThanOrEqual(1);
      const kernel = result.stdout.slice(result.stdout.indexOf('--- kernel OOM messages'));
      expect(kernel).toMatch(new RegExp(`Killed process ${oom.pid} \\(oomr-victim\\)`));
      expect(result.stdout).toContain(`pid ${oom.pid} is not running`);
      // The victim's cgroup is removed after the kill: the nearest ancestor is reported instead.
      expect(memcgPath.startsWith(summary.cgroup?.path ?? '-')).toBe(true);
      expect(result.stdout).toContain(`(cgroup ${memcgPath} is gone; showing ${summary.cgroup?.path})`);
    });
  },
);
