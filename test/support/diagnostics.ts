import type {
  ContainerInfo,
  DiagnosticsSummary,
  MemorySnapshot,
  VmSettings,
} from '../../functions/core/diagnostics/model';

/** Bytes in a GiB: the diagnostics give limits and heaps in bytes. */
export const GiB = 1024 * 1024 * 1024;

/** Overrides for `diagnostics()`: any top-level field, and any part of `memory` and `vm`. */
export type DiagnosticsOverrides = Omit<Partial<DiagnosticsSummary>, 'memory' | 'vm'> & {
  memory?: Partial<MemorySnapshot>;
  vm?: Partial<VmSettings>;
};

/**
 * A diagnostics summary as the collect-diagnostics document reports it from an EC2 t3.large (2 vCPU, 8 GiB) on
 * Amazon Linux 2023 a minute after an OOM kill: no swap (the EC2 default), overcommit heuristic, a 20 GiB gp3
 * root volume, the SSM and CloudWatch agents among the largest processes. Override what a case is about.
 */
export function diagnostics(overrides: DiagnosticsOverrides = {}): DiagnosticsSummary {
  const { memory, vm, ...rest } = overrides;
  return {
    version: 1,
    collectedAt: '2026-11-25T17:31:42Z',
    hostname: 'ip-10-0-1-23.ec2.internal',
    // Paired with real reports of many kernels: the release check (diagnosis-time.test.ts) would flag them all.
    kernelRelease: null,
    uptimeSeconds: 1_728_311,
    load: [1.42, 0.97, 0.61],
    cpuCount: 2,
    instanceId: 'i-0a1b2c3d4e5f67890',
    instanceType: 't3.large',
    availabilityZone: 'us-east-1a',
    memory: {
      totalKb: 7_949_424,
      availableKb: 5_870_112,
      freeKb: 5_512_300,
      buffersKb: 4_120,
      cachedKb: 512_880,
      swapTotalKb: 0,
      swapFreeKb: 0,
      commitLimitKb: 3_974_712,
      committedAsKb: 2_811_344,
      slabKb: 182_508,
      sReclaimableKb: 94_312,
      sUnreclaimKb: 88_196,
      shmemKb: 1_204,
      anonPagesKb: 1_690_442,
      ...memory,
    },
    vm: {
      overcommitMemory: 0,
      overcommitRatio: 50,
      swappiness: 60,
      panicOnOom: 0,
      minFreeKbytes: 67_584,
      ...vm,
    },
    swaps: [],
    topProcesses: [
      {
        pid: 2211,
        rssKb: 61_440,
        oomScore: 7,
        oomScoreAdj: 0,
        comm: 'amazon-cloudwat',
        cmdline:
          '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent -config /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.toml',
      },
      {
        pid: 1834,
        rssKb: 29_712,
        oomScore: 3,
        oomScoreAdj: 0,
        comm: 'amazon-ssm-agen',
        cmdline: '/usr/bin/amazon-ssm-agent',
      },
      {
        pid: 1,
        rssKb: 14_908,
        oomScore: 0,
        oomScoreAdj: 0,
        comm: 'systemd',
        cmdline: '/usr/lib/systemd/systemd --switched-root --system --deserialize=32',
      },
      {
        pid: 1102,
        rssKb: 12_204,
        oomScore: 0,
        oomScoreAdj: -250,
        comm: 'systemd-journal',
        cmdline: '/usr/lib/systemd/systemd-journald',
      },
      {
        pid: 1911,
        rssKb: 8_316,
        oomScore: 0,
        oomScoreAdj: -1000,
        comm: 'sshd',
        cmdline: 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups',
      },
    ],
    processCounts: [
      { name: 'sshd', count: 3 },
      { name: 'systemd', count: 2 },
      { name: 'bash', count: 2 },
      { name: 'chronyd', count: 1 },
    ],
    processTotal: 121,
    unit: null,
    cgroup: { version: 2, path: '/', limitBytes: null, usageBytes: 2.1 * GiB, oomKills: null, swap: null },
    containers: [],
    kubernetes: false,
    jvms: [],
    disk: { path: '/', fsType: 'xfs', totalKb: 20_893_676, availableKb: 15_208_112 },
    slabTop: [
      { name: 'dentry', sizeKb: 31_104 },
      { name: 'xfs_inode', sizeKb: 27_840 },
      { name: 'kmalloc-1k', sizeKb: 12_288 },
    ],
    oomKillsSinceEvent: 1,
    oomKillsSinceBoot: 1,
    // What a real kill reads as on its own host: `dmesg -k` holds the kernel's line of it.
    killConfirmation: {
      status: 'confirmed',
      source: 'dmesg',
      line: '[1728290.114605] Out of memory: Killed process 4242 (java) total-vm:8532112kB, anon-rss:7512320kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:15120kB oom_score_adj:0',
      detail: null,
    },
    probes: [
      { name: 'meminfo', status: 'ok' },
      { name: 'ps', status: 'ok' },
      { name: 'swaps', status: 'ok' },
      { name: 'cgroup', status: 'ok' },
      { name: 'docker', status: 'missing' },
      { name: 'jvm', status: 'ok' },
      { name: 'slabtop', status: 'ok' },
    ],
    ...rest,
  };
}

/** A container as the diagnostics list it: a docker container nothing more is known of, unless a case says. */
export function container(info: Pick<ContainerInfo, 'id'> & Partial<ContainerInfo>): ContainerInfo {
  return {
    runtime: 'docker',
    name: null,
    image: null,
    memoryLimitBytes: null,
    kubernetes: null,
    ecs: null,
    ...info,
  };
}
