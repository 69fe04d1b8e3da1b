import { DiagnosticsSummaryNotFoundError } from './errors';
import {
  CGROUP_SWAP_SOURCES,
  type CgroupState,
  type CgroupSwapLimit,
  type ContainerInfo,
  type DiagnosticsSummary,
  type DiskInfo,
  type JvmInfo,
  type KillConfirmation,
  type MemorySnapshot,
  type ProcessInfo,
  type SwapDevice,
  type UnitState,
  type VmSettings,
} from './model';
import { parsePressureSample } from './pressure-parser';
import { listOf, readSummaryLines } from './summary-lines';

type Fields = ReadonlyMap<string, string>;
type ProbeStatus = DiagnosticsSummary['probes'][number]['status'];

const PROBE_STATUSES: readonly string[] = ['ok', 'missing', 'timeout', 'error'];

/**
 * Read the summary the collect-diagnostics script prints first. Tolerant: a missing key is null (or an empty
 * list), an unknown key is ignored, a list entry without its identifying fields is dropped, and an output cut
 * short (GetCommandInvocation keeps 24,000 characters) still yields every whole line it holds.
 *
 * @throws DiagnosticsSummaryNotFoundError when the output holds no summary start marker at all.
 */
export function parseDiagnosticsSummary(stdout: string): DiagnosticsSummary {
  const lines = readSummaryLines(stdout);
  if (!lines) throw new DiagnosticsSummaryNotFoundError(JSON.stringify(stdout.slice(0, 80)));
  const f = lines.fields;
  // Left out, not undefined, for a script too old to collect it: the summary's shape is unchanged for it.
  const pressure = parsePressureSample(f);
  return {
    version: 1,
    collectedAt: text(f, 'collectedAt'),
    hostname: text(f, 'hostname'),
    kernelRelease: text(f, 'kernelRelease'),
    uptimeSeconds: num(f.get('uptimeSeconds')),
    load: load(f.get('load')),
    cpuCount: num(f.get('cpuCount')),
    instanceId: text(f, 'instanceId'),
    instanceType: text(f, 'instanceType'),
    availabilityZone: text(f, 'availabilityZone'),
    memory: memory(f),
    vm: vm(f),
    swaps: swaps(f),
    topProcesses: processes(f),
    processCounts: listOf(f, 'processCount').flatMap((r) => {
      const name = r.get('name');
      const count = num(r.get('count'));
      return name && count !== null ? [{ name, count }] : [];
    }),
    processTotal: num(f.get('processTotal')),
    unit: unit(f),
    cgroup: cgroup(f),
    containers: containers(f),
    kubernetes: f.get('kubernetes') === 'true',
    jvms: jvms(f),
    disk: disk(f),
    slabTop: listOf(f, 'slab').flatMap((r) => {
      const name = r.get('name');
      const sizeKb = num(r.get('sizeKb'));
      return name && sizeKb !== null ? [{ name, sizeKb }] : [];
    }),
    oomKillsSinceEvent: num(f.get('oom.killsSinceEvent')),
    oomKillsSinceBoot: num(f.get('oom.killsSinceBoot')),
    killConfirmation: killConfirmation(f),
    ...(pressure === undefined ? {} : { pressure }),
    probes: probes(f),
  };
}

function memory(f: Fields): MemorySnapshot {
  const kb = (name: keyof MemorySnapshot) => num(f.get(`memory.${name}`));
  return {
    totalKb: kb('totalKb'),
    availableKb: kb('availableKb'),
    freeKb: kb('freeKb'),
    buffersKb: kb('buffersKb'),
    cachedKb: kb('cachedKb'),
    swapTotalKb: kb('swapTotalKb'),
    swapFreeKb: kb('swapFreeKb'),
    commitLimitKb: kb('commitLimitKb'),
    committedAsKb: kb('committedAsKb'),
    slabKb: kb('slabKb'),
    sReclaimableKb: kb('sReclaimableKb'),
    sUnreclaimKb: kb('sUnreclaimKb'),
    shmemKb: kb('shmemKb'),
    anonPagesKb: kb('anonPagesKb'),
  };
}

function vm(f: Fields): VmSettings {
  const setting = (name: keyof VmSettings) => num(f.get(`vm.${name}`));
  return {
    overcommitMemory: setting('overcommitMemory'),
    overcommitRatio: setting('overcommitRatio'),
    swappiness: setting('swappiness'),
    panicOnOom: setting('panicOnOom'),
    minFreeKbytes: setting('minFreeKbytes'),
  };
}

function swaps(f: Fields): SwapDevice[] {
  return listOf(f, 'swap').flatMap((r) => {
    const path = r.get('path');
    const sizeKb = num(r.get('sizeKb'));
    const usedKb = num(r.get('usedKb'));
    if (!path || sizeKb === null || usedKb === null) return [];
    return [{ path, type: r.get('type') ?? '', sizeKb, usedKb, priority: num(r.get('priority')) }];
  });
}

function processes(f: Fields): ProcessInfo[] {
  return listOf(f, 'process').flatMap((r) => {
    const pid = num(r.get('pid'));
    const rssKb = num(r.get('rssKb'));
    if (pid === null || rssKb === null) return [];
    return [
      {
        pid,
        rssKb,
        oomScore: num(r.get('oomScore')),
        oomScoreAdj: num(r.get('oomScoreAdj')),
        comm: r.get('comm') ?? '',
        // Command lines come last in the summary: the first thing a cut or the size cap takes away.
        cmdline: r.get('cmdline') ?? '',
      },
    ];
  });
}

function unit(f: Fields): UnitState | null {
  const name = text(f, 'unit.name');
  if (!name) return null;
  return {
    name,
    activeState: text(f, 'unit.activeState'),
    subState: text(f, 'unit.subState'),
    result: text(f, 'unit.result'),
    nRestarts: num(f.get('unit.nRestarts')),
    memoryMaxBytes: num(f.get('unit.memoryMaxBytes')),
    memoryCurrentBytes: num(f.get('unit.memoryCurrentBytes')),
    oomPolicy: text(f, 'unit.oomPolicy'),
  };
}

function cgroup(f: Fields): CgroupState | null {
  const version = f.get('cgroup.version');
  const path = text(f, 'cgroup.path');
  if ((version !== '1' && version !== '2') || !path) return null;
  return {
    version: version === '1' ? 1 : 2,
    path,
    limitBytes: num(f.get('cgroup.limitBytes')),
    usageBytes: num(f.get('cgroup.usageBytes')),
    oomKills: num(f.get('cgroup.oomKills')),
    swap: cgroupSwap(f),
  };
}

const CONFIRMATION_STATUSES: readonly string[] = ['confirmed', 'not-found', 'unknown'];
const CONFIRMATION_SOURCES: readonly string[] = ['dmesg', 'journal-kernel', 'journal-oomd'];

function killConfirmation(f: Fields): KillConfirmation | null {
  const status = f.get('kill.confirmation');
  if (status === undefined) return null;
  const source = f.get('kill.confirmationSource') ?? '';
  return {
    // A value this parser does not know is not a confirmation.
    status: CONFIRMATION_STATUSES.includes(status) ? (status as KillConfirmation['status']) : 'unknown',
    source: CONFIRMATION_SOURCES.includes(source) ? (source as KillConfirmation['source']) : null,
    line: text(f, 'kill.confirmationLine'),
    detail: text(f, 'kill.confirmationDetail'),
  };
}

/** An empty limit with a source is "no limit"; no (known) source at all is "not said". */
function cgroupSwap(f: Fields): CgroupSwapLimit | null {
  const source = CGROUP_SWAP_SOURCES.find((known) => known === f.get('cgroup.swapLimitSource'));
  if (!source) return null;
  return { limitBytes: num(f.get('cgroup.swapLimitBytes')), source };
}

function containers(f: Fields): ContainerInfo[] {
  return listOf(f, 'container').flatMap((r) => {
    const runtime = r.get('runtime');
    const id = r.get('id');
    if (!runtime || !id) return [];
    const text = (key: string): string | null => r.get(key) || null;
    // Scripts before the k8s* keys wrote a pod's container as one name, `<namespace>/<pod>/<container>`
    // (docker names cannot hold a slash, so the form is unambiguous).
    const legacy = /^([^/]+)\/([^/]+)\/([^/]+)$/.exec(text('name') ?? '');
    const namespace = text('k8sNamespace') ?? legacy?.[1] ?? null;
    const pod = text('k8sPod') ?? legacy?.[2] ?? null;
    const container = text('k8sContainer') ?? legacy?.[3] ?? null;
    const podUid = text('podUid');
    const family = text('ecsFamily');
    return [
      {
        runtime,
        id,
        name: legacy ? container : text('name'),
        image: text('image'),
        memoryLimitBytes: num(r.get('memoryLimitBytes')),
        kubernetes: pod || podUid ? { namespace, pod, container, podUid } : null,
        ecs:
          family || text('ecsTaskArn')
            ? {
                cluster: text('ecsCluster'),
                family,
                revision: text('ecsRevision'),
                container: text('ecsContainer'),
                taskArn: text('ecsTaskArn'),
              }
            : null,
      },
    ];
  });
}

function jvms(f: Fields): JvmInfo[] {
  return listOf(f, 'jvm').flatMap((r) => {
    const pid = num(r.get('pid'));
    if (pid === null) return [];
    return [
      {
        pid,
        maxHeapBytes: num(r.get('maxHeapBytes')),
        maxRamPercentage: num(r.get('maxRamPercentage')),
        rssKb: num(r.get('rssKb')),
      },
    ];
  });
}

function disk(f: Fields): DiskInfo | null {
  const path = text(f, 'disk.path');
  if (!path) return null;
  return {
    path,
    fsType: text(f, 'disk.fsType'),
    totalKb: num(f.get('disk.totalKb')),
    availableKb: num(f.get('disk.availableKb')),
  };
}

function probes(f: Fields): DiagnosticsSummary['probes'] {
  const result: DiagnosticsSummary['probes'] = [];
  for (const [key, value] of f) {
    if (key.startsWith('probe.') && key.length > 6 && PROBE_STATUSES.includes(value)) {
      result.push({ name: key.slice(6), status: value as ProbeStatus });
    }
  }
  return result;
}

function load(value: string | undefined): [number, number, number] | null {
  const parts = (value ?? '').split(' ').map(num);
  const [one, five, fifteen] = parts;
  if (parts.length !== 3 || one == null || five == null || fifteen == null) return null;
  return [one, five, fifteen];
}

/** A non-empty value, or null. */
function text(f: Fields, key: string): string | null {
  const value = f.get(key);
  return value ? value : null;
}

/** A decimal number as the script prints them (no exponent, no sign but `-`), or null. */
function num(value: string | undefined): number | null {
  if (value === undefined || !/^-?\d{1,20}(?:\.\d{1,9})?$/.test(value)) return null;
  return Number(value);
}
