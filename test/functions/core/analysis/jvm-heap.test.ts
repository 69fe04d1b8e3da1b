import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { diagnostics, GiB } from '../../../support/diagnostics';
import { analyzeIncident, evidenceTexts, families, findingOf, incidentFrom } from './incidents';

// A real host-wide kill of one of three JVMs (java 31995, RSS 3.4 GiB) on an 8 GiB host without swap.
const JAVA_HOST = 'legacy/rhel6-2.6.32-642-global-java-full-syslog.log';
// A real kill of java (RSS 7.9 GiB) at its Kubernetes pod's memory limit (cgroupfs driver, burstable QoS).
const JAVA_POD = 'modern/k8s-cgroupfs-burstable-java-dmesg-T-zh-locale.log';
const POD_CGROUP = '/kubepods/burstable/pod28fcb1a0-a45c-44e7-b9bf-e3b9360bedba';

function podNode(jvm: { maxHeapBytes: number | null; maxRamPercentage: number | null }) {
  return diagnostics({
    instanceType: 'm5.4xlarge',
    cpuCount: 16,
    kubernetes: true,
    memory: { totalKb: 64_943_372, availableKb: 41_202_116 },
    cgroup: {
      version: 1,
      path: POD_CGROUP,
      limitBytes: 8 * GiB,
      usageBytes: 1.2 * GiB,
      oomKills: 1,
      swap: null,
    },
    jvms: [{ pid: 51022, rssKb: 1_048_576, ...jvm }],
  });
}

describe('the jvm-heap-oversized finding', () => {
  it('finds a JVM whose -Xmx is larger than the host, and ranks it above the host running out and the missing swap', () => {
    const incident = incidentFrom(JAVA_HOST);
    const analysis = analyzeIncident(
      incident,
      diagnostics({
        jvms: [
          { pid: 17002, maxHeapBytes: 512 * 1024 * 1024, maxRamPercentage: null, rssKb: 69_100 },
          { pid: 20608, maxHeapBytes: 1 * GiB, maxRamPercentage: null, rssKb: 758_156 },
          { pid: 32417, maxHeapBytes: 10 * GiB, maxRamPercentage: null, rssKb: 1_160_220 },
        ],
      }),
    );
    const jvm = findingOf(analysis, 'jvm-heap-oversized');

    expect(families(analysis)).toEqual(['jvm-heap-oversized', 'host-exhausted', 'no-swap']);
    expect(analysis.likelyCause).toBe(jvm);
    expect(jvm?.confidence).toBe(0.75);
    expect(jvm?.title).toBe("java's heap (-Xmx 10 GiB, pid 32417) is larger than the host's 7.6 GiB RAM");
    expect(jvm?.evidence).toEqual([
      { kind: 'measured', text: 'JVM pid 32417: -Xmx 10 GiB, RSS now 1.1 GiB' },
      { kind: 'measured', text: 'host RAM 7.6 GiB' },
      {
        kind: 'inferred',
        text: "a heap allowed to grow past the host's 7.6 GiB RAM is killed once it uses what it is allowed",
      },
      // A java was the victim: that ties the heap to this kill.
      { kind: 'kernel', text: 'killed: java (pid 31995) with RSS 3.4 GiB' },
    ]);
    expect(adviceText(jvm?.recommendation)).toContain(
      'Size the heap to at most about 75% of RAM: `-Xmx5760m` (75% of 7.6 GiB), less if other services share the host.',
    );
  });

  it('finds several JVMs whose heaps together exceed RAM, and gives each a share', () => {
    const analysis = analyzeIncident(
      incidentFrom(JAVA_HOST),
      diagnostics({
        jvms: [
          { pid: 17002, maxHeapBytes: 1 * GiB, maxRamPercentage: null, rssKb: 69_100 },
          { pid: 20608, maxHeapBytes: 3 * GiB, maxRamPercentage: null, rssKb: 758_156 },
          { pid: 32417, maxHeapBytes: 4 * GiB, maxRamPercentage: null, rssKb: 1_160_220 },
        ],
      }),
    );
    const jvm = findingOf(analysis, 'jvm-heap-oversized');
    expect(jvm?.confidence).toBe(0.75);
    expect(jvm?.title).toBe(
      "3 JVMs may grow their heaps to 8.0 GiB together, more than the host's 7.6 GiB RAM",
    );
    expect(evidenceTexts(jvm).slice(0, 3)).toEqual([
      'JVM pid 32417: -Xmx 4.0 GiB, RSS now 1.1 GiB',
      'JVM pid 20608: -Xmx 3.0 GiB, RSS now 740 MiB',
      'JVM pid 17002: -Xmx 1.0 GiB, RSS now 67 MiB',
    ]);
    expect(adviceText(jvm?.recommendation)).toContain('`-Xmx1920m` for each of the 3');
  });

  it("compares the heap with the pod's cgroup limit when java was killed in it", () => {
    const analysis = analyzeIncident(
      incidentFrom(JAVA_POD),
      podNode({ maxHeapBytes: 12 * GiB, maxRamPercentage: null }),
    );
    const jvm = findingOf(analysis, 'jvm-heap-oversized');

    expect(families(analysis)).toEqual(['jvm-heap-oversized', 'cgroup-limit']);
    expect(jvm?.title).toBe("java's heap (-Xmx 12 GiB, pid 51022) is larger than the 8.0 GiB cgroup limit");
    expect(evidenceTexts(jvm)).toContain('cgroup limit 8.0 GiB, usage 1.2 GiB (cgroup now)');
    expect(adviceText(jvm?.recommendation)).toContain('`-Xmx6g` (75% of 8.0 GiB)');
    expect(adviceText(jvm?.recommendation)).toContain('-XX:MaxRAMPercentage=75');
    expect(adviceText(jvm?.recommendation)).toContain('resources.limits.memory');
  });

  it('flags -XX:MaxRAMPercentage so high that off-heap memory has no room', () => {
    const analysis = analyzeIncident(
      incidentFrom(JAVA_POD),
      podNode({ maxHeapBytes: null, maxRamPercentage: 95 }),
    );
    const jvm = findingOf(analysis, 'jvm-heap-oversized');
    expect(jvm?.confidence).toBe(0.71);
    expect(jvm?.title).toBe(
      "java's heap (-XX:MaxRAMPercentage=95, heap up to 7.6 GiB, pid 51022) leaves no room in the 8.0 GiB cgroup limit for the JVM's off-heap memory",
    );
  });

  it('is less sure when the JVM was not the process killed', () => {
    // A real host-wide kill of mysqld; a JVM on the same host may grow past RAM.
    const analysis = analyzeIncident(
      incidentFrom('legacy/grsec-3.2.34-global-mysqld-then-memcg-header-syslog.log'),
      diagnostics({ jvms: [{ pid: 4410, maxHeapBytes: 9 * GiB, maxRamPercentage: null, rssKb: 2_202_009 }] }),
    );
    expect(findingOf(analysis, 'jvm-heap-oversized')?.confidence).toBe(0.58);
  });

  it('says nothing of a heap that fits, or without diagnostics (the kill does not print JVM flags)', () => {
    const fits = diagnostics({
      jvms: [{ pid: 32417, maxHeapBytes: 4 * GiB, maxRamPercentage: null, rssKb: 1_160_220 }],
    });
    expect(findingOf(analyzeIncident(incidentFrom(JAVA_HOST), fits), 'jvm-heap-oversized')).toBeUndefined();
    expect(findingOf(analyzeIncident(incidentFrom(JAVA_HOST), null), 'jvm-heap-oversized')).toBeUndefined();
  });
});
