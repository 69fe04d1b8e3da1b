import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDiagnosticsSummary } from '../../../../functions/core/diagnostics/summary-parser';
import { newIncident } from '../../../../functions/core/incident/build';
import { parseKernelLog } from '../../../../functions/core/kernel-log';
import { analyzeIncident, evidenceTexts, INSTANCE } from './incidents';

// Real: the collect-diagnostics script's stdout on the development VM right after a contained OOM kill (see
// test/fixtures/diagnostics/SOURCES.md). Its full output quotes the kernel's report of that very kill, so the
// kill and the diagnostics below describe the same event on the same host.
const CAPTURE = readFileSync(
  new URL('../../../fixtures/diagnostics/collect-diagnostics-debian12-cgroup-v1.stdout', import.meta.url),
  'utf8',
);

describe('a real diagnostics capture with the kill it was collected for', () => {
  const summary = parseDiagnosticsSummary(CAPTURE);
  const kill = parseKernelLog(CAPTURE, { referenceDate: new Date('2026-11-25T18:28:16Z') }).find(
    (k) => k.pid === 6436,
  );
  if (!kill) throw new Error('the capture quotes the kernel report of pid 6436');
  const incident = newIncident({
    kill,
    hostKey: 'vm',
    instance: { ...INSTANCE, instanceType: null, hostname: 'vm' },
    source: { logGroup: '/ec2/kernel', logStream: INSTANCE.instanceId, accountId: null, region: null },
    now: '2026-11-25T18:28:15Z',
  });
  const analysis = analyzeIncident(incident, summary, { now: '2026-11-25T18:28:20Z' });

  it('finds the 96 MiB cgroup limit the victim hit, on a 24 GiB host that had memory to spare', () => {
    expect(analysis.likelyCause?.family).toBe('cgroup-limit');
    expect(analysis.likelyCause?.title).toBe(
      'The 96 MiB memory limit of cgroup /process_api/8dc1f9a302eb15367865117e7f6656a9/oom-responder-6377-mwwgif5m is too small for what oomr-fixture needs, or oomr-fixture grew past it',
    );
    expect(evidenceTexts(analysis.likelyCause)).toEqual([
      'at the kill: memory usage 96 MiB, limit 96 MiB, failcnt 0',
      // anon-rss:97580kB + shmem-rss:0kB of limit 98304kB; file-rss:34844kB makes the RSS 132424kB, above it.
      "oomr-fixture's own charge to the cgroup: anon 95 MiB + shmem 0 KiB = 95 MiB, 99% of the 96 MiB limit",
      'its 34 MiB of file pages (binary, libraries, mapped files) count in its RSS but may be charged to another cgroup that read them first, and are reclaimable: that is why its RSS (129 MiB) can exceed the limit',
      "the limit is <1% of the host's 24 GiB RAM: the host itself was not out of memory",
    ]);
  });

  it('weighs the missing swap lightly, and finds no other cause in the host state', () => {
    // The JVM's -Xmx512m fits a 24 GiB host; 10 bash processes are no storm; 27 MiB of unreclaimable slab is normal.
    expect(analysis.findings.map((f) => [f.family, f.confidence])).toEqual([
      // Two kernel facts (usage at the limit, the host not out of memory); no swap with a contradiction.
      ['cgroup-limit', 0.64],
      ['no-swap', 0.15],
    ]);
  });

  it('plans nothing under the default policy', () => {
    expect(analysis.plan.steps).toEqual([]);
  });
});
