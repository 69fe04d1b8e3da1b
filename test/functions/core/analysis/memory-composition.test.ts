import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type MemoryKind, memoryComposition } from '../../../../functions/core/analysis/memory-composition';
import { formatKiB } from '../../../../functions/core/format/bytes';
import { corpusSamples, parseFile } from '../../../support/corpus';
import { corpusKills } from '../../../support/kills';
import { expectedDominant, expectedOf, killsWithReports } from '../../../support/memory-lines';

// Every expected figure is read from the report's own lines (test/support/memory-lines.ts), never from the
// parser's memory-stats code: the composition must say what the kernel printed.

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
