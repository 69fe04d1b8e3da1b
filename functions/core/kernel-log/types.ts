/**
 * The kill model: what `oom-responder parse` prints and what every later stage reads.
 * Field names are a public contract (see docs/kill-model.md): add fields, never rename them.
 * A field the kernel or the transport did not print is `null`, never guessed.
 */

/** How a line reached us. */
export type Transport =
  | 'rfc3164'
  | 'rfc3339'
  | 'journald-json'
  | 'journal-short-iso'
  | 'dmesg'
  | 'dmesg-ctime'
  | 'dmesg-human'
  | 'dmesg-iso'
  | 'kmsg'
  | 'cloudwatch'
  | 'plain';

export type KillKind = 'kernel' | 'systemd-oomd';

/**
 * Who could have written a kill's line, as far as its transport can tell (docs/kill-model.md, "Who wrote the
 * line"). Only the first two are records the kernel itself logged; every other origin is text a process wrote
 * while claiming to be the kernel (or systemd-oomd), which is why a host is never changed on it alone.
 */
export type LineOrigin =
  /** dmesg or `/dev/kmsg`: the kernel's ring buffer, kernel facility. */
  | 'kernel-ring-buffer'
  /** A journald entry whose trusted `_TRANSPORT` is `kernel`, kernel facility. */
  | 'journal-kernel-transport'
  /** A ring-buffer record with a user-space facility: root wrote it into `/dev/kmsg`. */
  | 'ring-buffer-user-facility'
  /** A syslog line whose tag says `kernel` (or `systemd-oomd`): any local user can send one (`logger -t kernel`). */
  | 'syslog-tag'
  /** A journald entry on another transport that names itself (`SYSLOG_IDENTIFIER=kernel`, `systemd-cat -t kernel`). */
  | 'journal-identifier'
  /** A journald entry whose trusted `_SYSTEMD_UNIT` is `systemd-oomd.service`: systemd-oomd's own words. */
  | 'systemd-oomd-journal'
  /** Kernel text with no transport around it: a paste, or a file of unknown format. */
  | 'text';

/** The origins only the kernel writes; see `LineOrigin`. */
export function isKernelOnly(origin: LineOrigin): boolean {
  return origin === 'kernel-ring-buffer' || origin === 'journal-kernel-transport';
}

/** One row of the kernel's task table ("Tasks state (memory values in pages)"). */
export interface TaskRow {
  pid: number;
  uid: number | null;
  tgid: number | null;
  totalVmPages: number | null;
  rssPages: number | null;
  rssAnonPages: number | null;
  rssFilePages: number | null;
  rssShmemPages: number | null;
  pgtablesBytes: number | null;
  nrPtes: number | null;
  swapents: number | null;
  oomScoreAdj: number | null;
  name: string;
}

export interface ContainerRef {
  /** `docker`, `containerd`, `cri-o`, `podman`, or null when the path shows only a Kubernetes pod. */
  runtime: string | null;
  id: string | null;
  podUid: string | null;
}

/**
 * The OOM memcg's memory as its report's `Memory cgroup stats for <path>:` block printed it, every size in kB
 * (bytes / 1024 where the kernel printed bytes, so byte-granular counters such as slab may be fractional). Keys
 * carry cgroup v2's names; v1's counterparts fill the same fields (docs/kill-model.md lists each); a key the
 * block did not print is null. The figures are the subtree's, which is what the limit counts.
 */
export interface MemcgStats {
  /** The cgroup of the (first) block: the one whose limit was hit. */
  memcg: string;
  /**
   * `v2`: memory.stat, bytes (4.19+). `v1`: v1's memory.stat, bytes, with `total_*` for the subtree (newer
   * kernels; 6.18 in the corpus). `v1-kb`: one line per cgroup of the subtree, `key:NKB`, summed here (older
   * kernels; 3.10 to 4.15 in the corpus).
   */
  format: 'v1-kb' | 'v1' | 'v2';
  /** How many `Memory cgroup stats for` headers the report printed (v1-kb prints one per cgroup of the subtree). */
  blocks: number;
  anonKb: number | null;
  fileKb: number | null;
  shmemKb: number | null;
  fileMappedKb: number | null;
  fileDirtyKb: number | null;
  fileWritebackKb: number | null;
  anonThpKb: number | null;
  swapKb: number | null;
  swapCachedKb: number | null;
  activeAnonKb: number | null;
  inactiveAnonKb: number | null;
  activeFileKb: number | null;
  inactiveFileKb: number | null;
  unevictableKb: number | null;
  kernelKb: number | null;
  kernelStackKb: number | null;
  pagetablesKb: number | null;
  percpuKb: number | null;
  sockKb: number | null;
  vmallocKb: number | null;
  slabReclaimableKb: number | null;
  slabUnreclaimableKb: number | null;
  zswapKb: number | null;
  zswappedKb: number | null;
  hierarchicalMemoryLimitKb: number | null;
  hierarchicalMemswLimitKb: number | null;
}

/**
 * The host's memory from the report's `Mem-Info:` counters (mm/show_mem.c), which the kernel prints in pages:
 * each is converted to kB with `pageKb`. A counter the report did not print is null.
 */
export interface MemInfo {
  /** The page size used: measured from the report's `Node N active_anon:NkB ...` lines when it has them, else 4. */
  pageKb: number;
  /** True when `pageKb` was measured from the report, false when 4 kB was assumed. */
  pageKbFromReport: boolean;
  activeAnonKb: number | null;
  inactiveAnonKb: number | null;
  activeFileKb: number | null;
  inactiveFileKb: number | null;
  unevictableKb: number | null;
  dirtyKb: number | null;
  writebackKb: number | null;
  slabReclaimableKb: number | null;
  slabUnreclaimableKb: number | null;
  mappedKb: number | null;
  shmemKb: number | null;
  pagetablesKb: number | null;
  freeKb: number | null;
}

/**
 * systemd-oomd's own figures for a cgroup it considered killing, from its `Considered N cgroups for killing, top
 * candidates were:` block (systemd 252+). Sizes in kB; a line the log did not keep leaves its field null.
 */
export interface OomdCandidate {
  path: string;
  /** N of `Considered N cgroups for killing`, when that line was kept. */
  considered: number | null;
  /** `Current Memory Usage:`. */
  memoryUsageKb: number | null;
  /** `Swap Usage:` (printed for swap-based kills). */
  swapUsageKb: number | null;
  /** `Memory Pressure Limit:` of the cgroup, in percent. */
  memoryPressureLimitPercent: number | null;
  /** `Pressure: Avg10: ... Avg60: ...`, in percent. */
  pressureAvg10: number | null;
  pressureAvg60: number | null;
}

export interface Kill {
  kind: KillKind;
  pid: number | null;
  process: string | null;
  totalVmKb: number | null;
  anonRssKb: number | null;
  fileRssKb: number | null;
  shmemRssKb: number | null;
  pgtablesKb: number | null;
  uid: number | null;
  oomScoreAdj: number | null;
  /** `score S` of the `Kill process ... or sacrifice child` line naming this victim. */
  score: number | null;
  constraint: string | null;
  /** True when a line of the report shows the kill was confined to a memory cgroup; false otherwise (host-wide). */
  cgroup: boolean;
  oomMemcg: string | null;
  taskMemcg: string | null;
  triggeredBy: string | null;
  triggeredByPid: number | null;
  gfpMask: string | null;
  order: number | null;
  hostname: string | null;
  time: string | null;
  kernelTime: number | null;
  memoryUsageKb: number | null;
  memoryLimitKb: number | null;
  memoryFailcnt: number | null;
  /** cgroup v1's `memory+swap: usage NkB, limit NkB` (memory and swap together). */
  memswUsageKb: number | null;
  memswLimitKb: number | null;
  /** cgroup v1's `kmem: usage NkB, limit NkB` (kernel memory charged to the cgroup). */
  kmemUsageKb: number | null;
  kmemLimitKb: number | null;
  /** cgroup v2's `swap: usage NkB, limit NkB` (the cgroup's swap). */
  memcgSwapUsageKb: number | null;
  memcgSwapLimitKb: number | null;
  /** The report's `Memory cgroup stats for` block; null when it printed none (global OOMs, grep'd reports). */
  memcgStats: MemcgStats | null;
  swapTotalKb: number | null;
  swapFreeKb: number | null;
  /** The report's global `Mem-Info:` counters; null when it printed none (cgroup OOMs print none). */
  memInfo: MemInfo | null;
  ramPages: number | null;
  tasks: TaskRow[];
  systemdUnit: string | null;
  container: ContainerRef | null;
  kernelVersion: string | null;
  /**
   * The cgroup of `Tasks in <cgroup> are going to be killed due to memory.oom.group set`: the kernel killed every
   * task of it. Null when the report has no such line.
   */
  oomGroupMemcg: string | null;
  /** Memory the oom_reaper freed, from `oom_reaper: reaped process N (comm), now anon-rss:...`. */
  reapedAnonRssKb: number | null;
  /** systemd-oomd's reason, e.g. `memory pressure for /system.slice being 86.45% > 50.00% for > 20s with reclaim activity`. */
  reason: string | null;
  /** systemd-oomd's candidate block for the killed cgroup; null for kernel kills and when oomd printed none. */
  oomdCandidate: OomdCandidate | null;
  transport: Transport;
  /** Who could have written the kill's line (the victim line, or the `oom-kill:` line of a report without one). */
  origin: LineOrigin;
  /** True when only the kernel writes `origin`: still no proof by itself, the host's own kernel log is. */
  kernelOnly: boolean;
  logGroup: string | null;
  logStream: string | null;
  eventId: string | null;
}
