const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `2621440` kB -> `2.5 GiB`: binary units, one decimal below 10, none above. The kernel's "kB" are KiB. */
export function formatKiB(kib: number): string {
  let value = kib;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || Math.abs(value) >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** Resident memory at the kill: anon + file + shmem, as the kernel counts RSS; null when none was printed. */
export function rssAtKillKb(kill: {
  anonRssKb: number | null;
  fileRssKb: number | null;
  shmemRssKb: number | null;
}): number | null {
  if (kill.anonRssKb === null && kill.fileRssKb === null && kill.shmemRssKb === null) return null;
  return (kill.anonRssKb ?? 0) + (kill.fileRssKb ?? 0) + (kill.shmemRssKb ?? 0);
}

/**
 * What of the victim's RSS its own memory cgroup was charged for: anon + shmem. Its file pages (binary,
 * libraries, mapped files) are charged to the cgroup that first read them, which may be another, and are
 * reclaimable: RSS above a cgroup's limit is no contradiction. Null when the kill line printed neither.
 */
export function chargedAtKillKb(kill: {
  anonRssKb: number | null;
  shmemRssKb: number | null;
}): number | null {
  if (kill.anonRssKb === null && kill.shmemRssKb === null) return null;
  return (kill.anonRssKb ?? 0) + (kill.shmemRssKb ?? 0);
}
