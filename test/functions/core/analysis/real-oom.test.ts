import { describe, expect, it } from 'vitest';
import { causeContainedOom, containedOomSupport } from '../../../../cli/local/contained-oom';
import { newIncident } from '../../../../functions/core/incident/build';
import { parseKernelLog } from '../../../../functions/core/kernel-log';
import { analyzeIncident, evidenceTexts, INSTANCE, NOW } from './incidents';

const support = containedOomSupport();
const reason = support.supported ? '' : ` (skipped: ${support.reason})`;

// A real kernel, a real report: the victim outgrows a small memory cgroup of this test's own, never the host.
describe.skipIf(!support.supported)(`a real, contained OOM kill on this host${reason}`, () => {
  it('is analyzed as its cgroup reaching its limit, from the kernel report alone', async () => {
    const oom = await causeContainedOom({ comm: 'analysis-victim', limitMiB: 64 });
    const kill = parseKernelLog(oom.kernelRecords.join('\n')).find((k) => k.pid === oom.pid);
    if (!kill) throw new Error('the kernel report of the contained OOM was not parsed');
    const incident = newIncident({
      kill,
      hostKey: 'ci-host',
      instance: INSTANCE,
      source: { logGroup: null, logStream: null, accountId: null, region: null },
      now: NOW,
    });

    const analysis = analyzeIncident(incident, null);

    expect(analysis.likelyCause?.family).toBe('cgroup-limit');
    expect(analysis.likelyCause?.title).toMatch(
      /^The 64 MiB memory limit of cgroup \/.+ is too small for what analysis-victim needs, or analysis-victim grew past it$/,
    );
    expect(evidenceTexts(analysis.likelyCause)[0]).toMatch(
      /^at the kill: memory usage 6[34](\.\d)? MiB, limit 64 MiB, failcnt \d+$/,
    );
    expect(analysis.findings.map((f) => f.family)).not.toContain('host-exhausted');
    expect(analysis.plan.steps).toEqual([]);
  });
});
