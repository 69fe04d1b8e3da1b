import { formatKiB } from '../format/bytes';

/** `java (pid 4242)`, or just `java` when the pid is unknown. */
export function who(name: string, pid: number | null): string {
  return pid === null ? name : `${name} (pid ${pid})`;
}

/** Bytes (as the diagnostics report them) to KiB (as the kernel does). */
export function bytesToKiB(bytes: number): number {
  return Math.round(bytes / 1024);
}

/** `42%` of a whole, `<1%` for a sliver (never a misleading `0%`); `?` when the whole is unknown or zero. */
export function percent(part: number, whole: number | null): string {
  if (!whole) return '?';
  const share = (part / whole) * 100;
  return share > 0 && share < 0.5 ? '<1%' : `${Math.round(share)}%`;
}

/** `2.1 GiB -> 2.6 GiB -> 3.0 GiB` */
export function sizeSeries(kbs: readonly number[]): string {
  return kbs.map(formatKiB).join(' -> ');
}

export type ConfigStyle = 'systemd' | 'docker' | 'kubernetes' | 'java';

const SUFFIXES: Record<ConfigStyle, { mebi: string; gibi: string }> = {
  systemd: { mebi: 'M', gibi: 'G' },
  docker: { mebi: 'm', gibi: 'g' },
  kubernetes: { mebi: 'Mi', gibi: 'Gi' },
  java: { mebi: 'm', gibi: 'g' },
};

/**
 * A size as a value for a config file, rounded down to 64 MiB (at least 64 MiB), in whole GiB when it is one:
 * `MemoryMax=3G`, `--memory 1536m`, `limits.memory: 3Gi`, `-Xmx3g`. Rounded down because these values are caps.
 */
export function configSize(kb: number, style: ConfigStyle): string {
  const mib = Math.max(64, Math.floor(kb / 1024 / 64) * 64);
  const { mebi, gibi } = SUFFIXES[style];
  return mib % 1024 === 0 ? `${mib / 1024}${gibi}` : `${mib}${mebi}`;
}

/** `3 kills`, `1 kill` */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * A size as a value for a config file, rounded UP to 64 MiB (at least 64 MiB): for a limit suggested to fit what
 * was used, which must never come out below it. `configSize` rounds down, for caps.
 */
export function configSizeUp(kb: number, style: ConfigStyle): string {
  const mib = Math.max(64, Math.ceil(kb / 1024 / 64) * 64);
  const { mebi, gibi } = SUFFIXES[style];
  return mib % 1024 === 0 ? `${mib / 1024}${gibi}` : `${mib}${mebi}`;
}
