import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../../functions/core/analysis/model';
import { rankFindings } from '../../../../functions/core/analysis/rank';
import { diagnostics, GiB } from '../../../support/diagnostics';
import { analyzeIncident, families, incidentFrom } from './incidents';

const finding = (family: Finding['family'], confidence: number): Finding => ({
  family,
  title: family,
  confidence,
  evidence: [],
  recommendation: { text: '' },
});

describe('ranking', () => {
  it('puts a JVM heap above RAM before the host running out and the missing swap', () => {
    const analysis = analyzeIncident(
      incidentFrom('legacy/rhel6-2.6.32-642-global-java-full-syslog.log'),
      diagnostics({
        jvms: [{ pid: 32417, maxHeapBytes: 10 * GiB, maxRamPercentage: null, rssKb: 1_160_220 }],
      }),
    );
    expect(families(analysis)).toEqual(['jvm-heap-oversized', 'host-exhausted', 'no-swap']);
    // measured heap + kernel RAM + inferred overflow + kernel victim; one kernel fact each for the other two.
    expect(analysis.findings.map((f) => f.confidence)).toEqual([0.75, 0.4, 0.4]);
  });

  it('puts a JVM heap above the pod limit before the limit it hit', () => {
    const analysis = analyzeIncident(
      incidentFrom('modern/k8s-cgroupfs-burstable-java-dmesg-T-zh-locale.log'),
      diagnostics({
        kubernetes: true,
        cgroup: {
          version: 1,
          path: '/kubepods/burstable/pod28fcb1a0-a45c-44e7-b9bf-e3b9360bedba',
          limitBytes: 8 * GiB,
          usageBytes: null,
          oomKills: 1,
          swap: null,
        },
        jvms: [{ pid: 51022, maxHeapBytes: 12 * GiB, maxRamPercentage: null, rssKb: null }],
      }),
    );
    expect(families(analysis)).toEqual(['jvm-heap-oversized', 'cgroup-limit']);
  });

  it('breaks equal confidences by family, root causes first, the same way every time', () => {
    const tied = [finding('no-swap', 0.6), finding('host-exhausted', 0.6), finding('memory-leak', 0.6)];
    const once = rankFindings(tied);
    const reversed = rankFindings([...tied].reverse());
    expect(once.findings.map((f) => f.family)).toEqual(['memory-leak', 'host-exhausted', 'no-swap']);
    expect(reversed.findings.map((f) => f.family)).toEqual(['memory-leak', 'host-exhausted', 'no-swap']);
  });

  it('never makes the critical-process impact the likely cause, however confident', () => {
    const ranked = rankFindings([
      finding('critical-process-killed', 0.95),
      finding('host-exhausted', 0.6),
      finding('no-swap', 0.45),
    ]);
    expect(ranked.likelyCause?.family).toBe('host-exhausted');
    expect(ranked.findings.map((f) => f.family)).toEqual([
      'host-exhausted',
      'critical-process-killed',
      'no-swap',
    ]);
    expect(rankFindings([finding('critical-process-killed', 0.95)]).likelyCause).toBeNull();
  });

  it('ranks the likely cause first in every analysis', () => {
    const analysis = analyzeIncident(incidentFrom('modern/journal-docker-mongod-global-oom.log'), null);
    expect(analysis.findings[0]).toBe(analysis.likelyCause);
    expect(families(analysis)).toEqual(['container-without-limit', 'host-exhausted', 'no-swap']);
  });
});
