import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKernelLog } from '../../../../functions/core/kernel-log';
import { CORPUS_REFERENCE_DATE, KERNEL_CORPUS } from '../../../support/corpus';
import { corpusKills } from '../../../support/kills';

// Every expected figure here is read from the fixture's own lines by the small readers below (a regular
// expression per line shape), never from what the parser under test printed.

function fixture(path: string): string {
  return readFileSync(`${KERNEL_CORPUS}${path}`, 'utf8');
}

/** The `key value` pairs after `Memory cgroup stats for`, up to the task table (one report per fixture). */
function statsPairs(text: string): Map<string, number> {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.includes('Memory cgroup stats for'));
  const pairs = new Map<string, number>();
  for (const line of lines.slice(start + 1)) {
    if (line.includes('Tasks state')) break;
    const pair = /([a-z_]+) (\d+)\s*$/.exec(line);
    if (pair?.[1] && pair[2]) pairs.set(pair[1], Number(pair[2]));
  }
  return pairs;
}

/** `key:N` pairs of the lines from `active_anon:` until the first `Node` line. */
function memInfoPages(text: string): Map<string, number> {
  const start = text.indexOf('active_anon:');
  const block = text.slice(start, text.indexOf('Node 0 ', start));
  return new Map([...block.matchAll(/([a-z_]+):(\d+)/g)].map((m) => [m[1] ?? '', Number(m[2])]));
}

function bytes(pairs: Map<string, number>, key: string): number {
  const value = pairs.get(key);
  if (value === undefined) throw new Error(`fixture has no ${key}`);
  return value;
}

describe('the memcg stats block of a report', () => {
  it('reads cgroup v2 memory.stat in bytes as kB, sock included, from a dmesg record whose lines are indented', () => {
    const path = 'modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log';
    const pairs = statsPairs(fixture(path));
    const [kill] = corpusKills(path);
    expect(kill?.memcgStats).toMatchObject({
      format: 'v2',
      blocks: 1,
      anonKb: bytes(pairs, 'anon') / 1024,
      fileKb: bytes(pairs, 'file') / 1024,
      sockKb: bytes(pairs, 'sock') / 1024,
      kernelKb: bytes(pairs, 'kernel') / 1024,
      kernelStackKb: bytes(pairs, 'kernel_stack') / 1024,
      pagetablesKb: bytes(pairs, 'pagetables') / 1024,
      slabReclaimableKb: bytes(pairs, 'slab_reclaimable') / 1024,
      slabUnreclaimableKb: bytes(pairs, 'slab_unreclaimable') / 1024,
      shmemKb: bytes(pairs, 'shmem') / 1024,
      anonThpKb: bytes(pairs, 'anon_thp') / 1024,
      swapKb: null, // v2 prints its swap on the `swap: usage` line, not in memory.stat
      hierarchicalMemoryLimitKb: null,
    });
    // The pod: 175 MiB of socket buffers in a 200 MiB limit.
    expect(Math.round((kill?.memcgStats?.sockKb ?? 0) / 1024)).toBe(175);
    expect(kill?.memcgStats?.memcg).toBe(
      /Memory cgroup stats for (\S+):/.exec(fixture(path))?.[1] ?? 'no header in the fixture',
    );
    const swap = /swap: usage (\d+)kB, limit (\d+)kB/.exec(fixture(path));
    expect([kill?.memcgSwapUsageKb, kill?.memcgSwapLimitKb]).toEqual([Number(swap?.[1]), Number(swap?.[2])]);
    expect([kill?.memswUsageKb, kill?.kmemUsageKb, kill?.memInfo]).toEqual([null, null, null]);
  });

  it("reads cgroup v1's memory.stat in bytes, taking the subtree's total_* figures, and its memory+swap and kmem lines", () => {
    const path = 'transports/captured-6.18-dmesg.log';
    const text = fixture(path);
    const pairs = statsPairs(text);
    const [kill] = corpusKills(path);
    expect(kill?.memcgStats).toMatchObject({
      format: 'v1',
      anonKb: bytes(pairs, 'total_rss') / 1024,
      fileKb: bytes(pairs, 'total_cache') / 1024,
      inactiveAnonKb: bytes(pairs, 'total_inactive_anon') / 1024,
      swapKb: bytes(pairs, 'total_swap') / 1024,
      hierarchicalMemoryLimitKb: bytes(pairs, 'hierarchical_memory_limit') / 1024,
      sockKb: null,
      kernelKb: null,
    });
    const memsw = /memory\+swap: usage (\d+)kB, limit (\d+)kB/.exec(text);
    const kmem = /kmem: usage (\d+)kB, limit (\d+)kB/.exec(text);
    expect(kill).toMatchObject({
      memswUsageKb: Number(memsw?.[1]),
      memswLimitKb: Number(memsw?.[2]),
      kmemUsageKb: Number(kmem?.[1]),
      kmemLimitKb: Number(kmem?.[2]),
      memcgSwapUsageKb: null,
    });
  });

  it("sums pre-5.x v1's one line per cgroup of the subtree (key:NKB), since each holds its own pages only", () => {
    const path = 'legacy/ubuntu1804-4.15-k8s-kubepods-memcg-dmesg-T.log';
    const lines = fixture(path)
      .split('\n')
      .filter((line) => line.includes('Memory cgroup stats for'));
    const sum = (key: string) =>
      lines.reduce((total, line) => total + Number(new RegExp(` ${key}:(\\d+)KB`).exec(line)?.[1]), 0);
    const [kill] = corpusKills(path);
    expect(lines.length).toBe(3);
    expect(kill?.memcgStats).toMatchObject({
      format: 'v1-kb',
      blocks: 3,
      memcg: /Memory cgroup stats for (\S+):/.exec(lines[0] ?? '')?.[1],
      anonKb: sum('rss'),
      fileKb: sum('cache'),
      activeAnonKb: sum('active_anon'),
      shmemKb: sum('shmem'),
    });
  });

  it('reads the same record joined into one line, as rsyslog (#012) and /dev/kmsg (\\x0a) write it', () => {
    const path = 'modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log';
    const lines = fixture(path).split('\n');
    const header = lines.findIndex((line) => line.includes('Memory cgroup stats for'));
    const end = lines.findIndex((line) => line.includes('Tasks state'));
    const record = lines.slice(header + 1, end).map((line) => line.replace(/^.*?\] /, '').trim());
    const [kill] = corpusKills(path);
    for (const separator of ['#012', '\\x0a']) {
      const prefix = /^.*?\] /.exec(lines[header + 1] ?? '')?.[0] ?? '';
      const joined = [...lines.slice(0, header + 1), `${prefix}${record.join(separator)}`];
      const [rejoined] = parseKernelLog([...joined, ...lines.slice(end)].join('\n'), {
        referenceDate: CORPUS_REFERENCE_DATE,
      });
      expect(rejoined?.memcgStats, separator).toEqual(kill?.memcgStats);
    }
  });

  it('is null in a global report, and in a report cut down to its summary lines', () => {
    expect(corpusKills('modern/global-oom-6.11-stress-ng-complete.log')[0]?.memcgStats).toBeNull();
    expect(corpusKills('modern/k8s-containerd-oom-group-double-kill-grep.log')[0]?.memcgStats).toBeNull();
  });
});

describe('the global Mem-Info counters of a report', () => {
  it('convert pages to kB with the page size the per-node kB lines show, on indented journal lines of a named host', () => {
    const path = 'modern/journal-docker-mongod-global-oom.log';
    const text = fixture(path);
    const pages = memInfoPages(text);
    const nodeActiveAnonKb = Number(/Node 0 active_anon:(\d+)kB/.exec(text)?.[1]);
    const pageKb = nodeActiveAnonKb / bytes(pages, 'active_anon');
    expect(pageKb).toBe(4);
    const [kill] = corpusKills(path);
    expect(kill?.hostname).toBe('moon');
    expect(kill?.memInfo).toEqual({
      pageKb,
      pageKbFromReport: true,
      activeAnonKb: bytes(pages, 'active_anon') * pageKb,
      inactiveAnonKb: bytes(pages, 'inactive_anon') * pageKb,
      activeFileKb: bytes(pages, 'active_file') * pageKb,
      inactiveFileKb: bytes(pages, 'inactive_file') * pageKb,
      unevictableKb: bytes(pages, 'unevictable') * pageKb,
      dirtyKb: bytes(pages, 'dirty') * pageKb,
      writebackKb: bytes(pages, 'writeback') * pageKb,
      slabReclaimableKb: bytes(pages, 'slab_reclaimable') * pageKb,
      slabUnreclaimableKb: bytes(pages, 'slab_unreclaimable') * pageKb,
      mappedKb: bytes(pages, 'mapped') * pageKb,
      shmemKb: bytes(pages, 'shmem') * pageKb,
      pagetablesKb: bytes(pages, 'pagetables') * pageKb,
      freeKb: bytes(pages, 'free') * pageKb,
    });
    expect(kill?.memcgStats).toBeNull();
  });

  it("read rsyslog's #012-joined record, assuming 4 kB pages when no node line says otherwise", () => {
    const path = 'legacy/rhel7-3.10.0-862-global-palo-be-syslog.log';
    const pages = memInfoPages(fixture(path).replaceAll('#012', ' '));
    const [kill] = corpusKills(path);
    expect(kill?.memInfo).toMatchObject({
      pageKb: 4,
      pageKbFromReport: false,
      activeAnonKb: bytes(pages, 'active_anon') * 4,
      slabUnreclaimableKb: bytes(pages, 'slab_unreclaimable') * 4,
      freeKb: bytes(pages, 'free') * 4,
    });
  });

  it("read 2.6.32's counters, one syslog line each, after the per-cpu lines", () => {
    const path = 'legacy/rhel6-2.6.32-358-memcg-mruby-full-syslog.log';
    const pages = memInfoPages(fixture(path));
    const [kill] = corpusKills(path);
    expect(kill?.memInfo).toMatchObject({
      activeFileKb: bytes(pages, 'active_file') * 4,
      slabReclaimableKb: bytes(pages, 'slab_reclaimable') * 4,
      pagetablesKb: bytes(pages, 'pagetables') * 4,
    });
  });

  it('measure a 64 kB page where the report shows one', () => {
    const report = [
      '[  9.000001] Mem-Info:',
      '[  9.000002] active_anon:100 inactive_anon:20 isolated_anon:0',
      '[  9.000002]  active_file:3 inactive_file:7 isolated_file:0',
      '[  9.000002]  unevictable:0 dirty:0 writeback:0',
      '[  9.000003] Node 0 active_anon:6400kB inactive_anon:1280kB active_file:192kB inactive_file:448kB unevictable:0kB',
      '[  9.000004] Killed process 42 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB',
    ].join('\n');
    const [kill] = parseKernelLog(report, { referenceDate: CORPUS_REFERENCE_DATE });
    expect(kill?.memInfo).toMatchObject({
      pageKb: 64,
      pageKbFromReport: true,
      activeAnonKb: 6400,
      freeKb: null,
    });
  });
});

describe('the global swap lines of a report', () => {
  it('read Total swap and Free swap in kB', () => {
    const path = 'modern/syslog-docker-global-python-aws-elided.log';
    const text = fixture(path);
    const [kill] = corpusKills(path);
    expect(kill?.swapTotalKb).toBe(Number(/Total swap = (\d+)kB/.exec(text)?.[1]));
    expect(kill?.swapFreeKb).toBe(Number(/Free swap {1,2}= (\d+)kB/.exec(text)?.[1]));
  });
});

describe('a memory.oom.group report', () => {
  it('names the cgroup whose every task the kernel killed, on each of its kills', () => {
    const path = 'modern/k8s-containerd-oom-group-double-kill-grep.log';
    const group = /Tasks in (\S+) are going to be killed due to memory\.oom\.group set/.exec(
      fixture(path),
    )?.[1];
    const kills = corpusKills(path);
    expect(group).toBeDefined();
    expect(kills.map((kill) => kill.oomGroupMemcg)).toEqual([group, group]);
  });

  it('is null where the report has no such line', () => {
    expect(corpusKills('transports/captured-6.18-dmesg.log')[0]?.oomGroupMemcg).toBeNull();
  });
});
