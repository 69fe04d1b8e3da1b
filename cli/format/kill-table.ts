import { formatKiB, rssAtKillKb } from '../../functions/core/format/bytes';
import type { Kill } from '../../functions/core/kernel-log';
import { limitPhrase } from '../../functions/core/render/kill-facts';

const HEADERS = ['WHEN', 'HOST', 'PID', 'PROCESS', 'RSS', 'SCOPE', 'UNIT/CONTAINER', 'TRIGGERED BY'] as const;

/** Rows of `oom-responder parse --pretty`: what an engineer scans first, one kill per line. */
export function killTableRow(kill: Kill): string[] {
  const rss = rssAtKillKb(kill);
  const container = kill.container
    ? `${kill.container.runtime ?? 'pod'}:${(kill.container.id ?? kill.container.podUid ?? '').slice(0, 12)}`
    : null;
  return [
    kill.time ?? (kill.kernelTime === null ? '-' : `[${kill.kernelTime.toFixed(3)}]`),
    kill.hostname ?? kill.logStream ?? '-',
    kill.pid === null ? '-' : String(kill.pid),
    kill.kind === 'systemd-oomd' ? `${kill.process ?? '-'} (systemd-oomd)` : (kill.process ?? '-'),
    rss === null ? '-' : formatKiB(rss),
    kill.cgroup
      ? `memcg${kill.memoryLimitKb === null ? '' : ` ${limitPhrase(kill.memoryLimitKb)}`}`
      : 'host-wide',
    container ?? kill.systemdUnit ?? '-',
    kill.triggeredBy ?? '-',
  ];
}

/** Lay rows out in columns as wide as their widest cell. */
export function formatTable(rows: readonly string[][]): string {
  const all = [[...HEADERS], ...rows];
  const widths = HEADERS.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  '),
    )
    .join('\n');
}
