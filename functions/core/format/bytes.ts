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
