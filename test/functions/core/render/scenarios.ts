import { confidenceOf, measured, stated } from '../../../../functions/core/analysis/evidence';
import type { ActionResult, Analysis } from '../../../../functions/core/analysis/model';
import type { DiagnosticsSummary } from '../../../../functions/core/diagnostics/model';
import { newIncident } from '../../../../functions/core/incident/build';
import { digestKill } from '../../../../functions/core/incident/kill-digest';
import type { Incident, InstanceRef } from '../../../../functions/core/incident/model';
import type { ResponseOutcome } from '../../../../functions/core/incident/outcome';
import type { Kill } from '../../../../functions/core/kernel-log';
import { KERNEL_CORPUS, parseFile } from '../../../support/corpus';

/**
 * Realistic response outcomes for render tests: the kills are parsed from the kernel corpus (real reports), the
 * diagnostics and analysis are shaped like what the collect-diagnostics document and the analysis produce on an
 * m5.large running a Java service. Secrets planted in command lines are listed in `PLANTED_SECRETS`.
 */
export async function corpusKill(path: string, index = 0): Promise<Kill> {
  const kills = await parseFile(`${KERNEL_CORPUS}${path}`);
  const kill = kills[index];
  if (!kill) throw new Error(`no kill #${index} in ${path}`);
  return kill;
}

export const INSTANCE: InstanceRef = {
  instanceId: 'i-0a1b2c3d4e5f60789',
  hostname: 'ip-10-0-1-5.ec2.internal',
  privateIp: '10.0.1.5',
  instanceType: 'm5.large',
  availabilityZone: 'us-east-1a',
  name: 'web-1',
  resolvedBy: 'stream-name',
};

export const UNRESOLVED: InstanceRef = {
  instanceId: null,
  hostname: 'build-runner-7',
  privateIp: null,
  instanceType: null,
  availabilityZone: null,
  name: null,
  resolvedBy: 'unresolved',
};

export const CONTEXT = {
  partition: 'aws',
  region: 'us-east-1',
  accountId: '123456789012',
  executionArn:
    'arn:aws:states:us-east-1:123456789012:execution:OomResponderResponse:oom-20260517T170028-5b7f0c1d2e3a4f56',
};

/** Secrets planted in host strings below; none may appear in any rendering. */
export const PLANTED_SECRETS = [
  'hunter2-db-pass',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'AKIAIOSFODNN7EXAMPLE',
  'T0A1B2C3D/B0A1B2C3D4E/abcdefghijklmnopqrstuvwx',
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJvb20tcmVzcG9uZGVyIn0.c2lnbmF0dXJlLXZhbHVl',
  'S3cr3tRedisPass',
] as const;

export function incidentFor(
  kill: Kill,
  instance: InstanceRef = INSTANCE,
  logGroup = '/ec2/kernel',
): Incident {
  const stream = instance.instanceId ?? instance.hostname ?? 'unknown';
  return newIncident({
    kill: { ...kill, logGroup, logStream: stream },
    hostKey: stream,
    instance,
    source: { logGroup, logStream: stream, accountId: '123456789012', region: 'us-east-1' },
    now: '2026-05-17T17:00:41.000Z',
  });
}

export function summary(overrides: Partial<DiagnosticsSummary> = {}): DiagnosticsSummary {
  return {
    version: 1,
    collectedAt: '2026-05-17T17:00:52Z',
    hostname: 'ip-10-0-1-5.ec2.internal',
    // Paired with a real 2.6.32 report: a release here would mark these diagnostics as another kernel's.
    kernelRelease: null,
    uptimeSeconds: 1_209_600,
    load: [6.4, 3.1, 1.2],
    cpuCount: 2,
    instanceId: INSTANCE.instanceId,
    instanceType: 'm5.large',
    availabilityZone: 'us-east-1a',
    memory: {
      totalKb: 7_999_920,
      availableKb: 317_440,
      freeKb: 121_004,
      buffersKb: 2_048,
      cachedKb: 260_112,
      swapTotalKb: 0,
      swapFreeKb: 0,
      commitLimitKb: 3_999_960,
      committedAsKb: 9_874_432,
      slabKb: 180_224,
      sReclaimableKb: 90_112,
      sUnreclaimKb: 90_112,
      shmemKb: 8_192,
      anonPagesKb: 7_340_032,
    },
    vm: { overcommitMemory: 0, overcommitRatio: 50, swappiness: 60, panicOnOom: 0, minFreeKbytes: 67_584 },
    swaps: [],
    topProcesses: [
      {
        pid: 41877,
        rssKb: 3_512_320,
        oomScore: 702,
        oomScoreAdj: 0,
        comm: 'java',
        cmdline:
          '/usr/lib/jvm/java-17-amazon-corretto/bin/java -Xms4g -Xmx6g -XX:+UseG1GC -Dspring.profiles.active=prod -Dspring.datasource.password=hunter2-db-pass -jar /opt/orders/orders-service.jar --server.port=8080',
      },
      {
        pid: 2210,
        rssKb: 412_672,
        oomScore: 82,
        oomScoreAdj: 0,
        comm: 'node',
        cmdline:
          'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE node /srv/notifier/index.js --webhook https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D4E/abcdefghijklmnopqrstuvwx',
      },
      {
        pid: 1893,
        rssKb: 201_728,
        oomScore: 40,
        oomScoreAdj: 0,
        comm: 'redis-server',
        cmdline: 'redis-server 127.0.0.1:6379 --requirepass S3cr3tRedisPass --maxmemory 0',
      },
      {
        pid: 1204,
        rssKb: 98_304,
        oomScore: 12,
        oomScoreAdj: 0,
        comm: 'curl',
        cmdline:
          'curl -H Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJvb20tcmVzcG9uZGVyIn0.c2lnbmF0dXJlLXZhbHVl https://api.internal/health',
      },
      {
        pid: 987,
        rssKb: 61_440,
        oomScore: 8,
        oomScoreAdj: -999,
        comm: 'amazon-ssm-agen',
        cmdline: '/usr/bin/amazon-ssm-agent',
      },
      {
        pid: 1,
        rssKb: 12_288,
        oomScore: 0,
        oomScoreAdj: 0,
        comm: 'systemd',
        cmdline: '/usr/lib/systemd/systemd --switched-root --system',
      },
    ],
    processCounts: [{ name: 'java', count: 1 }],
    processTotal: 143,
    unit: {
      name: 'orders.service',
      activeState: 'active',
      subState: 'running',
      result: 'oom-kill',
      nRestarts: 3,
      memoryMaxBytes: null,
      memoryCurrentBytes: 3_145_728_000,
      oomPolicy: 'stop',
    },
    cgroup: null,
    containers: [],
    kubernetes: false,
    jvms: [{ pid: 41877, maxHeapBytes: 6 * 1024 ** 3, maxRamPercentage: null, rssKb: 3_512_320 }],
    disk: { path: '/', fsType: 'xfs', totalKb: 31_444_972, availableKb: 19_922_944 },
    slabTop: [{ name: 'dentry', sizeKb: 52_224 }],
    oomKillsSinceEvent: 1,
    oomKillsSinceBoot: 3,
    // What a real kill reads as on its own host: `dmesg -k` holds the kernel's line of it.
    killConfirmation: {
      status: 'confirmed',
      source: 'dmesg',
      line: '[1728290.114605] Out of memory: Killed process 4242 (java) total-vm:8532112kB, anon-rss:7512320kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:15120kB oom_score_adj:0',
      detail: null,
    },
    probes: [{ name: 'meminfo', status: 'ok' }],
    ...overrides,
  };
}

const javaEvidence = [
  measured('-Xmx6g on pid 41877 (orders.service); RSS at kill 3.4 GiB and growing'),
  measured('MemAvailable 310 MiB of 7.6 GiB at diagnosis; no swap'),
  stated('3rd kill of java on this instance in 24 h'),
];

export function javaAnalysis(dryRun = false): Analysis {
  return {
    findings: [
      {
        family: 'jvm-heap-oversized',
        title: "java's maximum heap (-Xmx 6 GiB) does not fit in the host's 7.6 GiB next to everything else",
        // As the analysis sets it: from the evidence (1 kernel fact, 2 measurements: 0.71).
        confidence: confidenceOf(javaEvidence),
        evidence: javaEvidence.map((item) => ({ ...item })),
        recommendation: {
          text: 'Lower -Xmx to 4g in orders.service (or move to an instance with 16 GiB), then restart it.',
        },
      },
      {
        family: 'no-swap',
        title: 'No swap is configured',
        confidence: confidenceOf([measured('SwapTotal 0 kB')]),
        evidence: [measured('SwapTotal 0 kB')],
        recommendation: { text: 'Add a 2 GiB swap file as a buffer.' },
      },
    ],
    likelyCause: null,
    plan: {
      steps: [
        {
          action: 'add-swap',
          parameters: { SizeMiB: '2048' },
          dryRun,
          reason: 'add a 2 GiB swap file at /swapfile.oom-responder',
        },
      ],
      skipped: [
        { action: 'restart-service', reason: 'systemd already restarted orders.service (3 restarts)' },
      ],
    },
  };
}

export function swapAction(status: ActionResult['status']): ActionResult {
  const summaries: Record<ActionResult['status'], string> = {
    done: 'Added a 2 GiB swap file at /swapfile.oom-responder',
    'already-ok': 'Swap is already active',
    'dry-run': 'Would add a 2 GiB swap file at /swapfile.oom-responder (dry run)',
    refused: 'Refused: only 1.2 GiB free on /, the policy allows 25% of it',
    failed: 'mkswap exited 1: /swapfile.oom-responder: Operation not permitted',
    skipped: 'Skipped: the policy does not allow adding swap',
  };
  return {
    action: 'add-swap',
    status,
    summary: summaries[status],
    verification: status === 'done' ? 'swapon --show lists /swapfile.oom-responder (2G)' : null,
    commandId: '9f8e7d6c-5b4a-4321-8fed-cba987654321',
    exitCode: status === 'failed' ? 1 : 0,
  };
}

/** The full picture: diagnostics collected, analysed, a remediation with its result. */
export function fullOutcome(
  incident: Incident,
  action: ActionResult | null = swapAction('done'),
): ResponseOutcome {
  const analysis = javaAnalysis(action?.status === 'dry-run');
  analysis.likelyCause = analysis.findings[0] ?? null;
  return {
    incident,
    diagnostics: {
      status: 'collected',
      summary: summary(),
      detail: null,
      commandId: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
      outputS3Uri:
        's3://oom-responder-diagnostics-123456789012/diagnostics/1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d/i-0a1b2c3d4e5f60789/awsrunShellScript/collect/stdout',
    },
    analysis,
    actions: action ? [action] : [],
    failure: null,
    context: CONTEXT,
  };
}

/** Only what the log told: as after a failure or in a preview. */
export function bareOutcome(
  incident: Incident,
  status: ResponseOutcome['diagnostics']['status'] = 'skipped',
): ResponseOutcome {
  return {
    incident,
    diagnostics: { status, summary: null, detail: null, commandId: null, outputS3Uri: null },
    analysis: null,
    actions: [],
    failure: null,
    context: CONTEXT,
  };
}

/** Earlier kills of the same process here, RSS growing: the leak signal. */
export function withHistory(incident: Incident): Incident {
  return {
    ...incident,
    history: [
      {
        incidentId: 'oom-20260517T031208-0a1b2c3d4e5f6071',
        time: '2026-05-17T03:12:08Z',
        pid: 30211,
        rssKb: 2_202_009,
      },
      {
        incidentId: 'oom-20260517T101944-0a1b2c3d4e5f6072',
        time: '2026-05-17T10:19:44Z',
        pid: 31002,
        rssKb: 2_726_297,
      },
    ],
  };
}

/** The incident with more kills joined, `killCount` beyond the stored list when `total` exceeds it. */
export function withJoinedKills(
  incident: Incident,
  kills: readonly Kill[],
  total = incident.killCount + kills.length,
): Incident {
  return {
    ...incident,
    kills: [...incident.kills, ...kills.map((kill) => digestKill(kill, incident.id))],
    killCount: total,
  };
}
