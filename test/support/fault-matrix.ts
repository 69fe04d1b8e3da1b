/**
 * The exactly-once fault matrix: for each stage and fault, how many incidents reached on-call once, were lost,
 * or were told twice. An incident counts "once" when at least one channel carried it and no channel carried it
 * more than once; "lost" when no channel did; "duplicated" when a channel carried it twice or more. A storm
 * rollup carries every incident it lists.
 */

/** One message that went out: its channel and the incidents it tells about. */
export interface Delivery {
  channel: 'sns' | 'slack' | 'q-developer';
  incidentIds: readonly string[];
}

export interface MatrixRow {
  stage: string;
  fault: string;
  incidents: number;
  once: number;
  lost: number;
  duplicated: number;
}

/** Tally the deliveries of one scenario against the incidents it should have told about. */
export function tally(
  stage: string,
  fault: string,
  expected: readonly string[],
  deliveries: readonly Delivery[],
): MatrixRow {
  const row: MatrixRow = { stage, fault, incidents: expected.length, once: 0, lost: 0, duplicated: 0 };
  for (const id of expected) {
    const perChannel = new Map<string, number>();
    for (const delivery of deliveries) {
      const times = delivery.incidentIds.filter((listed) => listed === id).length;
      if (times > 0) perChannel.set(delivery.channel, (perChannel.get(delivery.channel) ?? 0) + times);
    }
    if (perChannel.size === 0) row.lost++;
    else if ([...perChannel.values()].some((times) => times > 1)) row.duplicated++;
    else row.once++;
  }
  return row;
}

/** The cell a row shows: "once" only when every incident of the scenario reached on-call exactly once. */
export function verdict(row: MatrixRow): string {
  if (row.once === row.incidents) return 'once';
  return [row.lost ? `${row.lost} lost` : '', row.duplicated ? `${row.duplicated} duplicated` : '']
    .filter(Boolean)
    .join(', ');
}

/** The matrix as a Markdown table, the way the suite prints it. */
export function formatMatrix(title: string, rows: readonly MatrixRow[]): string {
  const header = ['stage', 'fault', 'incidents', 'once', 'lost', 'duplicated', 'verdict'];
  const lines = rows.map((row) => [
    row.stage,
    row.fault,
    String(row.incidents),
    String(row.once),
    String(row.lost),
    String(row.duplicated),
    verdict(row),
  ]);
  const widths = header.map((name, i) =>
    Math.max(name.length, ...lines.map((line) => (line[i] ?? '').length)),
  );
  const format = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    title,
    format(header),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...lines.map(format),
  ].join('\n');
}
