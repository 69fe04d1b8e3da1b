/**
 * What the collect-diagnostics document adds when it runs for a memory-pressure warning (its `mode` parameter
 * `pressure`), or after a kill when the host can tell: the kernel's pressure stall information for memory, the
 * largest processes' `smaps_rollup`, and how much each grew between two samples the script takes itself, a few
 * seconds apart (its `sampleSeconds` parameter), so the diagnostics stay read-only: no state file on the host.
 * Read from the summary block like the rest of `DiagnosticsSummary`; every figure the host could not tell is null.
 * Types only: the script writes the lines (lib/ssm/scripts/collect-diagnostics.sh), the summary parser reads them.
 */

/**
 * `/proc/pressure/memory` (Linux 4.20+, `CONFIG_PSI`; Documentation/accounting/psi.rst): the share of wall time in
 * which some (or all) non-idle tasks were stalled waiting for memory, over 10, 60 and 300 s, and the total stall
 * time in microseconds since boot. `full` is null on kernels that print only `some`.
 */
export interface MemoryPressureStall {
  some: StallAverages;
  full: StallAverages | null;
}

export interface StallAverages {
  /** Percent of wall time (0-100). */
  avg10: number;
  avg60: number;
  avg300: number;
  totalUs: number;
}

/** `/proc/<pid>/smaps_rollup` (Linux 4.14+) of one of the largest processes, in KiB. */
export interface ProcessSmapsRollup {
  pid: number;
  comm: string;
  rssKb: number;
  pssKb: number | null;
  anonymousKb: number | null;
  swapKb: number | null;
}

/**
 * A process's resident memory (VmRSS) at the script's second sample and at its first, `sampleSeconds` earlier
 * (the same pid and the same start time, so a reused pid is not compared), and the growth rate between them.
 */
export interface ProcessGrowth {
  pid: number;
  comm: string;
  rssKb: number;
  previousRssKb: number;
  /** Seconds between the two samples (centisecond precision, from /proc/uptime). */
  sinceSeconds: number;
  /** (rssKb - previousRssKb) per hour; negative when it shrank. */
  kbPerHour: number;
}

export interface PressureSample {
  /** Null where the kernel has no PSI (older than 4.20, or `psi=0` on the command line). */
  stall: MemoryPressureStall | null;
  /** The largest processes' rollups, largest RSS first. */
  smaps: ProcessSmapsRollup[];
  /** Fastest grower first; empty when the run took one sample only (`sampleSeconds` 0, or kill mode). */
  growth: ProcessGrowth[];
  /** When the first of the two samples was taken (ISO 8601), or null when the run took one sample only. */
  previousSampleAt: string | null;
}
