import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containedOomSupport, createMemoryCgroup } from '../../../cli/local/contained-oom';
import { parseDiagnosticsSummary } from '../../../functions/core/diagnostics/summary-parser';
import { makeTemp, removeTemp, runScript } from './support/run-script';

/**
 * The swap a killed cgroup may use decides whether adding host swap can help. On this host's real cgroup v1
 * memory controller: a child cgroup of this process's own, its limits written and read back by the script. On
 * a fake cgroup v2 tree: memory.swap.max as Amazon Linux 2023 has it.
 */
const MiB = 1024 * 1024;
const support = containedOomSupport();
const v1 = support.supported && support.version === 1;
const v1Reason = v1 ? '' : ` (skipped: ${support.supported ? 'cgroup v2 here' : support.reason})`;

const collect = (memcgPath: string, env: Record<string, string> = {}) =>
  runScript('collect-diagnostics', {
    SSM_killTime: '',
    SSM_unit: '',
    SSM_pid: '',
    SSM_memcgPath: memcgPath,
    ...env,
  });

describe.skipIf(!v1)(`the cgroup swap allowance on this host's cgroup v1${v1Reason}`, () => {
  const relative = (path: string) => path.replace(/^\/sys\/fs\/cgroup\/memory/, '');

  it('is none when memory+swap is capped at the memory limit', async () => {
    // createMemoryCgroup writes the same 64 MiB to memory.limit_in_bytes and memory.memsw.limit_in_bytes.
    const cgroup = createMemoryCgroup(64, 'oom-responder-swap');
    try {
      const result = await collect(relative(cgroup.path));
      const state = parseDiagnosticsSummary(result.stdout).cgroup;
      expect(state?.path).toBe(relative(cgroup.path));
      expect(state?.limitBytes).toBe(64 * MiB);
      expect(state?.swap).toEqual({ limitBytes: 0, source: 'memory.memsw.limit_in_bytes' });
      expect(result.stdout).toContain('swap allowed: 0 bytes (memory.memsw.limit_in_bytes)');
    } finally {
      cgroup.remove();
    }
  });

  it('is what memory+swap leaves above the memory limit', async () => {
    const cgroup = createMemoryCgroup(64, 'oom-responder-swap');
    try {
      writeFileSync(join(cgroup.path, 'memory.memsw.limit_in_bytes'), String(96 * MiB));
      const result = await collect(relative(cgroup.path));
      expect(parseDiagnosticsSummary(result.stdout).cgroup?.swap).toEqual({
        limitBytes: 32 * MiB,
        source: 'memory.memsw.limit_in_bytes',
      });
    } finally {
      cgroup.remove();
    }
  });

  it('is none with memory.swappiness 0, whatever memsw allows', async () => {
    const cgroup = createMemoryCgroup(64, 'oom-responder-swap');
    try {
      writeFileSync(join(cgroup.path, 'memory.memsw.limit_in_bytes'), String(96 * MiB));
      writeFileSync(join(cgroup.path, 'memory.swappiness'), '0');
      const result = await collect(relative(cgroup.path));
      expect(parseDiagnosticsSummary(result.stdout).cgroup?.swap).toEqual({
        limitBytes: 0,
        source: 'memory.swappiness',
      });
    } finally {
      cgroup.remove();
    }
  });

  it('is unlimited for this process’s own cgroup, whose memsw limit is unset', async () => {
    const own = support.supported ? relative(support.cgroupRoot) : '/';
    const result = await collect(own);
    expect(parseDiagnosticsSummary(result.stdout).cgroup?.path).toBe(own);
    expect(parseDiagnosticsSummary(result.stdout).cgroup?.swap).toEqual({
      limitBytes: null,
      source: 'memory.memsw.limit_in_bytes',
    });
  });
});

describe('the cgroup swap allowance on a cgroup v2 tree', () => {
  let root: string;
  const cgroup = (path: string, files: Record<string, string>) => {
    mkdirSync(join(root, path), { recursive: true });
    for (const [name, value] of Object.entries(files)) writeFileSync(join(root, path, name), `${value}\n`);
  };
  beforeAll(() => {
    root = makeTemp('cgroup-swap-v2');
    cgroup('/', { 'cgroup.controllers': 'cpuset cpu io memory pids' });
    cgroup('/system.slice', { 'memory.max': 'max', 'memory.swap.max': 'max' });
    cgroup('/system.slice/noswap.service', { 'memory.max': '536870912', 'memory.swap.max': '0' });
    cgroup('/system.slice/swaps.service', { 'memory.max': '536870912', 'memory.swap.max': 'max' });
    cgroup('/capped.slice', { 'memory.max': 'max', 'memory.swap.max': '104857600' });
    cgroup('/capped.slice/app.service', { 'memory.max': '536870912', 'memory.swap.max': 'max' });
  });
  afterAll(() => removeTemp(root));

  it.each([
    ['/system.slice/noswap.service', { limitBytes: 0, source: 'memory.swap.max' }, '0 bytes'],
    ['/system.slice/swaps.service', { limitBytes: null, source: 'memory.swap.max' }, 'no limit of its own'],
    // The parent's 100 MiB binds the child that says max.
    ['/capped.slice/app.service', { limitBytes: 104857600, source: 'memory.swap.max' }, '104857600 bytes'],
  ])('reads %s', async (memcgPath, swap, text) => {
    const result = await collect(memcgPath, { OOM_RESPONDER_CGROUP_FS: root });
    expect(parseDiagnosticsSummary(result.stdout).cgroup?.swap).toEqual(swap);
    expect(result.stdout).toContain(`swap allowed: ${text} (memory.swap.max)`);
  });

  it('says nothing for the root cgroup, which has no limits', async () => {
    const result = await collect('/', { OOM_RESPONDER_CGROUP_FS: root });
    expect(parseDiagnosticsSummary(result.stdout).cgroup?.swap).toBeNull();
    expect(result.stdout).toContain('swap allowed: unknown (no cgroup limit applies)');
  });
});
