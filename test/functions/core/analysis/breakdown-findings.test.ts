import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import type { Finding } from '../../../../functions/core/analysis/model';
import { formatKiB } from '../../../../functions/core/format/bytes';
import { KERNEL_CORPUS } from '../../../support/corpus';
import { diagnostics } from '../../../support/diagnostics';
import { analyzeIncident, findingOf, incidentFrom, incidentFromText } from './incidents';

// Real reports first: the xray pod whose 200 MiB limit was filled by socket buffers (the issue's pod), and a
// thunderbird scope filled by shmem. The corpus holds no report where kernel memory or dirty page cache filled
// a cgroup: those two cases are the xray report with its socket bytes moved to another counter, named as such.

const POD = 'modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log';
const THUNDERBIRD = 'modern/memcg-v2-thunderbird-scope-three-reports-6.5.log';

/** A finding's evidence lines, as the message shows them. */
const texts = (finding: Finding | null | undefined): string[] =>
  finding?.evidence.map((item) => item.text) ?? [];
/** The lines that speak against it. */
const against = (finding: Finding | null | undefined): string[] =>
  finding?.evidence.filter((item) => item.kind === 'contradicts').map((item) => item.text) ?? [];

function fixture(path: string): string {
  return readFileSync(`${KERNEL_CORPUS}${path}`, 'utf8');
}

/** A `key value` line of the report's memcg stats block, in bytes. */
function statBytes(text: string, key: string): number {
  const m = new RegExp(`(?<=\\s)${key} (\\d+)$`, 'm').exec(text);
  if (!m) throw new Error(`the report has no ${key} line`);
  return Number(m[1]);
}

/** The report with the stats lines of `changes` set to new byte counts; every other line as the kernel printed it. */
function withStats(text: string, changes: Record<string, (bytes: number) => number>): string {
  let changed = text;
  for (const [key, change] of Object.entries(changes)) {
    const line = new RegExp(`(?<=\\s)${key} (\\d+)$`, 'm');
    changed = changed.replace(line, (_whole, bytes: string) => `${key} ${change(Number(bytes))}`);
  }
  return changed;
}

const podText = fixture(POD);
const sockBytes = statBytes(podText, 'sock');
const usageKb = Number(/memory: usage (\d+)kB/.exec(podText)?.[1]);
const limitKb = Number(/memory: usage \d+kB, limit (\d+)kB/.exec(podText)?.[1]);

/** Derived: the xray report with its socket bytes charged as unreclaimable slab (sock, kernel, slab lines changed). */
const SLAB_POD = withStats(podText, {
  sock: () => 0,
  kernel: (bytes) => bytes + sockBytes,
  slab_unreclaimable: (bytes) => bytes + sockBytes,
  slab: (bytes) => bytes + sockBytes,
});

/** Derived: the xray report with its socket bytes as dirty and writeback page cache (sock and file lines changed). */
const DIRTY_POD = withStats(podText, {
  sock: () => 0,
  file: (bytes) => bytes + sockBytes,
  inactive_file: (bytes) => bytes + sockBytes,
  file_dirty: () => Math.round(sockBytes * 0.6),
  file_writeback: () => Math.round(sockBytes * 0.3),
});

describe('findings from the report memory breakdown', () => {
  it("names socket buffers as the likely cause of the issue's pod, not a larger resources.limits.memory", () => {
    const analysis = analyzeIncident(incidentFrom(POD), null);
    const cause = analysis.likelyCause;
    expect(cause?.family).toBe('socket-buffers');
    const share = Math.round((sockBytes / 1024 / usageKb) * 100);
    expect(cause?.title).toBe(
      `Socket buffers took ${formatKiB(sockBytes / 1024)} of ${formatKiB(usageKb)} charged (${share}%) in xray's memory cgroup: socket queues, not xray's own memory, filled the limit`,
    );
    expect(texts(cause)[0]).toContain(`sock ${formatKiB(sockBytes / 1024)}`);
    expect(texts(cause)[0]).toContain(`(memory usage ${formatKiB(usageKb)}, limit ${formatKiB(limitKb)})`);
    expect(adviceText(cause?.recommendation)).toContain('ss -s');
    expect(adviceText(cause?.recommendation)).toContain('net.ipv4.tcp_rmem net.ipv4.tcp_wmem');
    expect(adviceText(cause?.recommendation)).toMatch(/^A larger limit only delays the next kill: /);
    // A Kubernetes node runs containerd: into the container's network namespace through crictl, by its short id.
    const id = /cri-containerd-([0-9a-f]{12})/.exec(podText)?.[1];
    expect(adviceText(cause?.recommendation)).toContain(`--template '{{.info.pid}}' ${id}) ss -tmp`);
    expect(adviceText(cause?.recommendation)).not.toContain('resources.limits.memory');
    // The mechanism is still said, weaker, with why a larger limit would not help.
    const limit = findingOf(analysis, 'cgroup-limit');
    // What filled it speaks against "the limit is too small": a larger limit fills the same way.
    expect(limit?.confidence).toBeLessThan(cause?.confidence ?? 0);
    expect(against(limit)).toEqual([
      expect.stringMatching(/^Filled by socket buffers: 175 MiB of 203 MiB charged \(86%\)/),
    ]);
    expect(adviceText(limit?.recommendation)).toMatch(
      /^Socket buffers, not xray's own memory, filled the limit: raising the limit only delays the next kill\./,
    );
  });

  it('names shmem/tmpfs in the thunderbird scope, locked in memory, with how to find the files', () => {
    const text = fixture(THUNDERBIRD);
    const shmemKb = statBytes(text, 'shmem') / 1024;
    const unevictableKb = statBytes(text, 'unevictable') / 1024;
    const analysis = analyzeIncident(incidentFrom(THUNDERBIRD), null);
    const cause = analysis.likelyCause;
    expect(cause?.family).toBe('shmem-tmpfs');
    expect(cause?.title).toMatch(
      new RegExp(`^Shmem/tmpfs took ${formatKiB(shmemKb)} of \\d+ MiB charged \\(\\d+%\\) in `),
    );
    expect(texts(cause)[0]).toContain(`shmem ${formatKiB(shmemKb)}`);
    expect(texts(cause)).toContain(
      `unevictable ${formatKiB(unevictableKb)}: the shmem is locked in memory (SHM_LOCK, mlock, ramfs) and not even swap could take it`,
    );
    expect(adviceText(cause?.recommendation)).toContain('df -h -t tmpfs');
    expect(against(findingOf(analysis, 'cgroup-limit'))).toHaveLength(1);
    expect(findingOf(analysis, 'page-cache')).toBeUndefined();
  });

  it('gives Kubernetes the emptyDir sizeLimit first for shmem in a pod', () => {
    // Derived: the xray report with its socket bytes as shmem (sock, file and shmem lines changed).
    const text = withStats(podText, {
      sock: () => 0,
      file: (bytes) => bytes + sockBytes,
      shmem: () => sockBytes,
    });
    const cause = analyzeIncident(incidentFromText(text), null).likelyCause;
    expect(cause?.family).toBe('shmem-tmpfs');
    expect(adviceText(cause?.recommendation)).toContain('`emptyDir` with `medium: Memory`');
    expect(adviceText(cause?.recommendation)).toContain('`sizeLimit`');
  });

  it('names kernel memory, mostly unreclaimable slab, and keeps the diagnostics slab finding silent', () => {
    const slabKb = statBytes(SLAB_POD, 'slab_unreclaimable') / 1024;
    const kernelKb = statBytes(SLAB_POD, 'kernel') / 1024;
    // The diagnostics alone would call it a slab problem (SUnreclaim 40% of RAM): said once, by kernel-memory.
    const slabby = diagnostics({
      memory: { slabKb: 3_300_000, sUnreclaimKb: 3_200_000 },
      slabTop: [{ name: 'kmalloc-2k', sizeKb: 3_000_000 }],
    });
    const analysis = analyzeIncident(incidentFromText(SLAB_POD), slabby);
    const cause = analysis.likelyCause;
    expect(cause?.family).toBe('kernel-memory');
    expect(cause?.title).toContain(
      `Kernel memory took ${formatKiB(kernelKb)} of ${formatKiB(usageKb)} charged`,
    );
    expect(cause?.title).toContain(', mostly slab_unreclaimable: ');
    expect(texts(cause).find((line) => line.startsWith('kernel memory by kind'))).toMatch(
      new RegExp(`^kernel memory by kind: slab_unreclaimable ${formatKiB(slabKb)}, `),
    );
    expect(texts(cause)).toContain('largest slab caches at diagnosis: kmalloc-2k 2.9 GiB');
    expect(adviceText(cause?.recommendation)).toContain('slabtop');
    expect(findingOf(analysis, 'kernel-slab')).toBeUndefined();
    // The same diagnostics beside the real report (socket buffers, not slab): the slab finding speaks.
    expect(findingOf(analyzeIncident(incidentFrom(POD), slabby), 'kernel-slab')).toBeDefined();
  });

  it('names page cache that was mostly dirty or under writeback, with how to make writeback start sooner', () => {
    const analysis = analyzeIncident(incidentFromText(DIRTY_POD), null);
    const cause = analysis.likelyCause;
    expect(cause?.family).toBe('page-cache');
    expect(cause?.title).toContain(', much of it dirty or under writeback: ');
    const dirtyKb = statBytes(DIRTY_POD, 'file_dirty') / 1024;
    expect(texts(cause).join('\n')).toContain(`file_dirty ${formatKiB(dirtyKb)}`);
    expect(adviceText(cause?.recommendation)).toContain('vm.dirty_background_bytes');
    expect(against(findingOf(analysis, 'cgroup-limit'))).toHaveLength(1);
  });

  it('adds no breakdown finding where anonymous memory filled the cgroup, and leaves the limit finding as it was', () => {
    const analysis = analyzeIncident(incidentFrom('legacy/docker-3.10-memcg-stress-no-timestamps.log'), null);
    const families = analysis.findings.map((finding) => finding.family);
    for (const family of ['socket-buffers', 'shmem-tmpfs', 'page-cache', 'kernel-memory'] as const)
      expect(families).not.toContain(family);
    expect(analysis.likelyCause?.family).toBe('cgroup-limit');
    // Anonymous memory filling it is what a limit finding expects: nothing speaks against it.
    expect(against(analysis.likelyCause)).toEqual([]);
  });

  it('adds none for a host-wide OOM filled by process memory', () => {
    const analysis = analyzeIncident(incidentFrom('modern/global-oom-6.11-stress-ng-complete.log'), null);
    const families = analysis.findings.map((finding) => finding.family);
    for (const family of ['socket-buffers', 'shmem-tmpfs', 'page-cache', 'kernel-memory'] as const)
      expect(families).not.toContain(family);
  });
});
