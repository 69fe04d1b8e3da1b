import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DOMINANT_SHARE,
  type MemoryKind,
  memoryComposition,
} from '../../../../functions/core/analysis/memory-composition';
import { formatKiB } from '../../../../functions/core/format/bytes';
import type { Kill } from '../../../../functions/core/kernel-log';
import { corpusSamples, parseFile } from '../../../support/corpus';
import { confinedToCgroup, loggedVictims, reportLines } from '../../../support/kernel-lines';
import { corpusKills } from '../../../support/kills';
import { messagesOf, readMemcgStats, readMemInfo, readUsageLines } from '../../../support/memory-lines';

// Every expected figure is read from the report's own lines (test/support/memory-lines.ts), never from the
// parser's memory-stats code: the composition must say what the kernel printed.

interface ExpectedComposition {
  scope: 'cgroup' | 'host';
  totalKb: number;
  parts: Map<MemoryKind, number>;
}

const KERNEL_PIECES = [
  'slab_reclaimable',
  'slab_unreclaimable',
  'kernel_stack',
  'pagetables',
  'percpu',
  'vmalloc',
  'zswap',
];

function setIf(parts: Map<MemoryKind, number>, kind: MemoryKind, kb: number | undefined | null): void {
  if (kb !== undefined && kb !== null) parts.set(kind, kb);
}

/** What a reader of the report says filled the cgroup or the host, or null when the report shows no breakdown. */
function expectedOf(report: readonly string[]): ExpectedComposition | null {
  if (confinedToCgroup(report)) {
    const stats = readMemcgStats(report);
    if (stats === null) return null;
    const kb = stats.kb;
    const v1 = stats.format === 'kb-tokens' || kb.has('rss') || kb.has('cache');
    const parts = new Map<MemoryKind, number>();
    const file = kb.get(v1 ? 'cache' : 'file');
    setIf(parts, 'anon', kb.get(v1 ? 'rss' : 'anon'));
    setIf(parts, 'page-cache', file === undefined ? null : Math.max(0, file - (kb.get('shmem') ?? 0)));
    setIf(parts, 'shmem', kb.get('shmem'));
    setIf(parts, 'sock', kb.get('sock'));
    const { usageKb, kmemKb } = readUsageLines(report);
    if (v1) setIf(parts, 'kernel', kmemKb);
    else {
      const pieces = KERNEL_PIECES.filter((key) => kb.has(key));
      const sum = pieces.reduce((total, key) => total + (kb.get(key) ?? 0), 0);
      setIf(parts, 'kernel', kb.get('kernel') ?? (pieces.length > 0 ? sum : null));
    }
    const total = usageKb ?? [...parts.values()].reduce((a, b) => a + b, 0);
    return { scope: 'cgroup', totalKb: total, parts };
  }
  if (report.some((line) => /constraint=CONSTRAINT_(?:CPUSET|MEMORY_POLICY)/.test(line))) return null;
  const info = readMemInfo(report);
  if (info === null) return null;
  const kb = (key: string) => info.kb.get(key);
  const parts = new Map<MemoryKind, number>();
  const anonLists = [kb('active_anon'), kb('inactive_anon')];
  if (anonLists.every((value) => value !== undefined)) {
    const lists = (anonLists[0] ?? 0) + (anonLists[1] ?? 0);
    parts.set('anon', Math.max(0, lists - (kb('shmem') ?? 0)));
  }
  const fileLists = [kb('active_file'), kb('inactive_file')];
  if (fileLists.every((value) => value !== undefined))
    parts.set('page-cache', (fileLists[0] ?? 0) + (fileLists[1] ?? 0));
  setIf(parts, 'shmem', kb('shmem'));
  const kernel = ['slab_reclaimable', 'slab_unreclaimable', 'pagetables'].filter((key) => info.kb.has(key));
  if (kernel.length > 0)
    parts.set(
      'kernel',
      kernel.reduce((total, key) => total + (kb(key) ?? 0), 0),
    );
  const total = info.ramKb ?? [...parts.values()].reduce((a, b) => a + b, 0) + (kb('free') ?? 0);
  return { scope: 'host', totalKb: total, parts };
}

/** The reader's filler: half of the total and twice the next part. */
function expectedDominant(expected: ExpectedComposition): MemoryKind | null {
  const sorted = [...expected.parts].sort((a, b) => b[1] - a[1]);
  const [first, second] = sorted;
  if (!first || first[1] <= 0) return null;
  const clear = first[1] >= expected.totalKb * DOMINANT_SHARE && first[1] >= (second?.[1] ?? 0) * 2;
  return clear ? first[0] : null;
}

/** Each parsed kill beside the lines of its own report, matched by the victim's pid in log order. */
function killsWithReports(text: string, kills: readonly Kill[]): { kill: Kill; report: string[] }[] {
  const messages = messagesOf(text);
  const victims = loggedVictims(messages);
  const paired: { kill: Kill; report: string[] }[] = [];
  let cursor = 0;
  for (const kill of kills) {
    const at = victims.findIndex((victim, i) => i >= cursor && victim.pid === kill.pid);
    const victim = victims[at];
    if (at < 0 || !victim) continue;
    cursor = at + 1;
    paired.push({ kill, report: reportLines(messages, victim.line) });
  }
  return paired;
}

describe('what filled the memory, on every real report of the corpus and the held-out set', () => {
  it('agrees with the breakdown the report printed, part by part, with the same filler', async () => {
    let compared = 0;
    const kinds = new Set<MemoryKind>();
    for (const sample of corpusSamples()) {
      const text = readFileSync(sample.logPath, 'utf8');
      const kills = await parseFile(sample.logPath);
      const paired = killsWithReports(text, kills);
      // A kill the reader could not find in the log would go unchecked: none of those may carry a breakdown.
      const unpaired = kills.filter((kill) => !paired.some((pair) => pair.kill === kill));
      for (const kill of unpaired) expect(memoryComposition(kill), sample.name).toBeNull();
      for (const { kill, report } of paired) {
        const where = `${sample.theme}/${sample.name} pid ${kill.pid}`;
        const expected = expectedOf(report);
        const composition = memoryComposition(kill);
        if (expected === null || expected.parts.size === 0) {
          expect(composition, where).toBeNull();
          continue;
        }
        compared++;
        expect(composition?.scope, where).toBe(expected.scope);
        expect(composition?.totalKb, where).toBeCloseTo(expected.totalKb, 3);
        const got = new Map(composition?.parts.map((part) => [part.kind, part.kb]));
        expect([...got.keys()].sort(), where).toEqual([...expected.parts.keys()].sort());
        for (const [kind, kb] of expected.parts) {
          expect(got.get(kind), `${where} ${kind}`).toBeCloseTo(kb, 3);
          kinds.add(kind);
        }
        const dominant = expectedDominant(expected);
        expect(composition?.dominant?.kind ?? null, where).toBe(dominant);
        if (dominant) {
          const kb = expected.parts.get(dominant) ?? 0;
          expect(composition?.line, where).toContain(`${formatKiB(kb)} of ${formatKiB(expected.totalKb)}`);
        }
      }
    }
    // The corpus holds dozens of reports with a breakdown, of every kind the composition names.
    expect(compared).toBeGreaterThanOrEqual(50);
    expect([...kinds].sort()).toEqual(['anon', 'kernel', 'page-cache', 'shmem', 'sock']);
  });

  it("says the issue's pod was filled by socket buffers, in the report's own figures", () => {
    const path = 'modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log';
    const text = readFileSync(new URL(`../../../fixtures/kernel/${path}`, import.meta.url), 'utf8');
    const sockKb = Number(/\bsock (\d+)/.exec(text)?.[1]) / 1024;
    const anonKb = Number(/\banon (\d+)/.exec(text)?.[1]) / 1024;
    const usageKb = Number(/memory: usage (\d+)kB/.exec(text)?.[1]);
    const [kill] = corpusKills(path);
    const composition = kill ? memoryComposition(kill) : null;
    expect(composition?.dominant?.kind).toBe('sock');
    expect(composition?.line).toBe(
      `Filled by socket buffers: ${formatKiB(sockKb)} of ${formatKiB(usageKb)} charged (${Math.round((sockKb / usageKb) * 100)}%); anon ${formatKiB(anonKb)}`,
    );
    expect(composition?.line).toMatch(/^Filled by socket buffers: 175 MiB of 203 MiB charged \(86%\)/);
  });

  it('names shmem/tmpfs in the thunderbird scope whose file pages were all shmem', () => {
    const [kill] = corpusKills('modern/memcg-v2-thunderbird-scope-three-reports-6.5.log');
    const composition = kill ? memoryComposition(kill) : null;
    expect(composition?.dominant?.kind).toBe('shmem');
    // `file` and `shmem` are the same 610512896 bytes: no page cache is left beside the shmem.
    expect(composition?.parts.find((part) => part.kind === 'page-cache')?.kb).toBe(0);
  });

  it('says nothing for a cgroup kill whose report printed only the host counters, or for a cpuset OOM', () => {
    // RHEL 6 prints the global Mem-Info in a memcg report: it does not say what filled the cgroup.
    const [rhel6] = corpusKills('legacy/rhel6-2.6.32-220-memcg-test-lkml-syslog.log');
    expect(rhel6?.cgroup).toBe(true);
    expect(rhel6?.memInfo).not.toBeNull();
    expect(rhel6 ? memoryComposition(rhel6) : 'no kill').toBeNull();
    const [cpuset] = corpusKills('modern/cpuset-constraint-runc-init-no-timestamps-5.8.log');
    expect(cpuset?.memInfo).not.toBeNull();
    expect(cpuset ? memoryComposition(cpuset) : 'no kill').toBeNull();
  });

  it('says when the usage is well above what the stats block lists (a victim exiting between the two)', () => {
    const kills = corpusKills('modern/host-v1-memcg-two-kills-kworker-isolated.log');
    const second = kills[1] ? memoryComposition(kills[1]) : null;
    expect(second?.dominant).toBeNull();
    expect(second?.line).toMatch(/^No single kind of memory filled it: .* of the usage not in the stats$/);
  });
});
