import type { PressureSample } from './pressure-sample';

/**
 * What the collect-diagnostics SSM document reports about the host, read from the compact machine-readable
 * summary at the start of its stdout (GetCommandInvocation returns only the first 24,000 characters; the full
 * output goes to S3). Every field the host could not tell is null, never guessed.
 */
export interface DiagnosticsSummary {
  version: 1;
  /** ISO 8601 time on the host when the summary was written. */
  collectedAt: string | null;
  hostname: string | null;
  kernelRelease: string | null;
  uptimeSeconds: number | null;
  /** 1, 5 and 15 minute load averages. */
  load: [number, number, number] | null;
  cpuCount: number | null;
  /** From IMDSv2, best effort. */
  instanceId: string | null;
  instanceType: string | null;
  availabilityZone: string | null;
  memory: MemorySnapshot;
  vm: VmSettings;
  swaps: SwapDevice[];
  /** Up to 15 processes, largest RSS first; command lines as the host printed them (redacted before leaving). */
  topProcesses: ProcessInfo[];
  /** Process names with the most instances (fork or connection storms), most first. */
  processCounts: { name: string; count: number }[];
  processTotal: number | null;
  /** The killed unit's state, when the kill named a systemd unit. */
  unit: UnitState | null;
  /** The killed task's memory cgroup (or the host's root), v1 or v2. */
  cgroup: CgroupState | null;
  containers: ContainerInfo[];
  /** A kubelet runs here: never add swap, and leave restarts to Kubernetes. */
  kubernetes: boolean;
  jvms: JvmInfo[];
  /** Free space where a swap file would go. */
  disk: DiskInfo | null;
  /** Largest slab caches (kernel memory). */
  slabTop: { name: string; sizeKb: number }[];
  /** Kernel OOM kills since the event, from the kernel log on the host. */
  oomKillsSinceEvent: number | null;
  /** `oom_kill` from /proc/vmstat: kills since boot. */
  oomKillsSinceBoot: number | null;
  /** Whether the host's own kernel log holds the reported kill; null from a script too old to look. */
  killConfirmation: KillConfirmation | null;
  /**
   * Memory pressure and growth (`pressure-sample.ts`); absent from a script too old to collect it, null when this
   * run collected none.
   */
  pressure?: PressureSample | null;
  /** Each probe's outcome, so a missing tool or a timeout is visible rather than silent. */
  probes: { name: string; status: 'ok' | 'missing' | 'timeout' | 'error' }[];
}

/**
 * The reported kill, looked up on the host in what only the kernel writes (`dmesg -k`, the journal's kernel
 * transport with facility kern) or, for systemd-oomd, in the journal entries of systemd-oomd.service itself. A
 * line any local user could write (`logger -t kernel`) is in none of them. No host change without `confirmed`.
 */
export interface KillConfirmation {
  /** `not-found`: the log was read and does not hold the kill; `unknown`: nothing to look for, or no log to read. */
  status: 'confirmed' | 'not-found' | 'unknown';
  /** Where the answer comes from, or null when no log could tell. */
  source: 'dmesg' | 'journal-kernel' | 'journal-oomd' | null;
  /** The host's own line of the kill, when confirmed. */
  line: string | null;
  /** Why not confirmed, in words (`the kernel killed pid 4242 under another name: ...`). */
  detail: string | null;
}

export interface MemorySnapshot {
  totalKb: number | null;
  availableKb: number | null;
  freeKb: number | null;
  buffersKb: number | null;
  cachedKb: number | null;
  swapTotalKb: number | null;
  swapFreeKb: number | null;
  commitLimitKb: number | null;
  committedAsKb: number | null;
  slabKb: number | null;
  sReclaimableKb: number | null;
  sUnreclaimKb: number | null;
  shmemKb: number | null;
  anonPagesKb: number | null;
}

export interface VmSettings {
  overcommitMemory: number | null;
  overcommitRatio: number | null;
  swappiness: number | null;
  panicOnOom: number | null;
  minFreeKbytes: number | null;
}

export interface SwapDevice {
  path: string;
  type: string;
  sizeKb: number;
  usedKb: number;
  priority: number | null;
}

export interface ProcessInfo {
  pid: number;
  rssKb: number;
  oomScore: number | null;
  oomScoreAdj: number | null;
  comm: string;
  cmdline: string;
}

export interface UnitState {
  name: string;
  activeState: string | null;
  subState: string | null;
  result: string | null;
  nRestarts: number | null;
  /** Bytes, or null for `infinity` / unset. */
  memoryMaxBytes: number | null;
  memoryCurrentBytes: number | null;
  oomPolicy: string | null;
}

export interface CgroupState {
  version: 1 | 2;
  path: string;
  /** Bytes, or null when unlimited. */
  limitBytes: number | null;
  usageBytes: number | null;
  /** OOM kills counted by the cgroup (`memory.events` oom_kill, or v1 `memory.oom_control` oom_kill). */
  oomKills: number | null;
  /** How much the cgroup may swap, or null when the host did not say (the root cgroup, an old script). */
  swap: CgroupSwapLimit | null;
}

/** The swap a memory cgroup's tasks may use: the smallest allowance from the cgroup up to the root. */
export interface CgroupSwapLimit {
  /** Bytes (0: the cgroup may not swap at all), or null when the cgroup does not limit it. */
  limitBytes: number | null;
  /**
   * What says so: v2 `memory.swap.max`; v1 `memory.memsw.limit_in_bytes` minus `memory.limit_in_bytes` (memory
   * plus swap capped at the memory limit leaves none); v1 `memory.swappiness` 0 (limit reclaim never swaps);
   * `unaccounted`: v1 without swap accounting (swapaccount=0), so the cgroup swaps as the host does.
   */
  source: CgroupSwapSource;
}

export const CGROUP_SWAP_SOURCES = [
  'memory.swap.max',
  'memory.memsw.limit_in_bytes',
  'memory.swappiness',
  'unaccounted',
] as const;
export type CgroupSwapSource = (typeof CGROUP_SWAP_SOURCES)[number];

export interface ContainerInfo {
  runtime: 'docker' | 'containerd' | 'cri-o' | 'podman' | string;
  id: string;
  /** The runtime's name (docker's `Name` without its slash), else the Kubernetes container's name. */
  name: string | null;
  /** The image it was started from, as given (`redis:7`), from docker's `Config.Image`. */
  image: string | null;
  /** Bytes, or null when the container has no memory limit. */
  memoryLimitBytes: number | null;
  kubernetes: KubernetesIdentity | null;
  ecs: EcsIdentity | null;
}

/** From the kubelet's `/var/log/containers/<pod>_<namespace>_<container>-<id>.log` links or `io.kubernetes.*` labels. */
export interface KubernetesIdentity {
  namespace: string | null;
  pod: string | null;
  container: string | null;
  /** From the pod's cgroup (`kubepods-burstable-pod<uid>.slice`) or the `io.kubernetes.pod.uid` label. */
  podUid: string | null;
}

/** From the ECS agent's `com.amazonaws.ecs.*` docker labels (agent/engine/docker_task_engine.go). */
export interface EcsIdentity {
  cluster: string | null;
  /** `com.amazonaws.ecs.task-definition-family` and `-version`: the task definition is `family:revision`. */
  family: string | null;
  revision: string | null;
  /** The container's name in the task definition. */
  container: string | null;
  taskArn: string | null;
}

export interface JvmInfo {
  pid: number;
  /** -Xmx / -XX:MaxHeapSize in bytes. */
  maxHeapBytes: number | null;
  /** -XX:MaxRAMPercentage. */
  maxRamPercentage: number | null;
  rssKb: number | null;
}

export interface DiskInfo {
  path: string;
  fsType: string | null;
  totalKb: number | null;
  availableKb: number | null;
}
