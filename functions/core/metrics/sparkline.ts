/** The eight block characters, lowest first: U+2581..U+2588. */
export const SPARK_BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
/** A bucket the agent sent no point for: visibly not a value. */
export const SPARK_GAP = '·';

/**
 * A percentage series as one character per `bucketSlots` slots, on a fixed 0-100 scale so that two messages
 * compare at a glance (`▁` is 0-12.5 %, `█` 87.5-100 %). Each bucket shows its lowest point: for available memory
 * the worst of those minutes is what a kill is about, and an average would smooth the dip away.
 */
export function sparkline(values: readonly (number | null)[], bucketSlots: number): string {
  const chars: string[] = [];
  for (let start = 0; start < values.length; start += bucketSlots) {
    const present = values
      .slice(start, start + bucketSlots)
      .filter((value): value is number => value !== null);
    chars.push(present.length === 0 ? SPARK_GAP : blockOf(Math.min(...present)));
  }
  return chars.join('');
}

/** The block character of one percentage, clamped to 0-100. */
export function blockOf(percent: number): string {
  const level = Math.floor(Math.min(100, Math.max(0, percent)) / 12.5);
  return SPARK_BLOCKS[Math.min(SPARK_BLOCKS.length - 1, level)] ?? SPARK_GAP;
}
