import { formatKiB } from './bytes';

/**
 * The kernel has no "unlimited" value for a memory cgroup: an unset limit is PAGE_COUNTER_MAX pages
 * (LONG_MAX / PAGE_SIZE), which reads as `max` in cgroup v2's memory.max, as 9223372036854771712 in v1's
 * memory.limit_in_bytes (4 KiB pages; 9223372036854710272 with 64 KiB pages), and as `limit 9007199254740988kB`
 * (2^53 kB, 8388608 TiB) in the OOM report's `memory:` line. Kernels before 3.19 (res_counter) printed
 * RESOURCE_MAX, 2^64 - 1 bytes. No EC2 instance has a PiB of RAM: anything that large is "no limit".
 */
const UNLIMITED_KB = 2 ** 40;

/** Whether a limit in KiB, as the OOM report prints it, is the kernel's "no limit". */
export function isUnlimitedKb(kb: number): boolean {
  return kb >= UNLIMITED_KB;
}

/** Whether a limit in bytes, as memory.limit_in_bytes or MemoryMax= read, is the kernel's "no limit". */
export function isUnlimitedBytes(bytes: number): boolean {
  return isUnlimitedKb(bytes / 1024);
}

/** `96 MiB`, or `no limit` for the kernel's unset value; the one way every renderer says a cgroup limit. */
export function formatLimitKb(kb: number): string {
  return isUnlimitedKb(kb) ? 'no limit' : formatKiB(kb);
}

/** `formatLimitKb` for a value in bytes. */
export function formatLimitBytes(bytes: number): string {
  return isUnlimitedBytes(bytes) ? 'no limit' : formatKiB(bytes / 1024);
}
