export interface Measured<T> {
  /** The best (lowest) wall-clock time of all runs. */
  seconds: number;
  result: T;
}

/** Best of `runs` wall-clock measurements, in seconds; the first run also warms the JIT. */
export async function bestOf<T>(runs: number, task: () => Promise<T> | T): Promise<Measured<T>> {
  const best: Measured<T> = { seconds: Number.POSITIVE_INFINITY, result: undefined as T };
  for (let i = 0; i < runs; i++) await measureInto(best, task);
  return best;
}

/**
 * The best of `runs` measurements of a floor and of a task, taking turns: floor, task, floor, task... On a
 * shared machine the load drifts within seconds; measuring one after the other lets one catch a quiet spell
 * the other never sees, while alternating exposes both to the same spells.
 */
export async function bestOfAlternating<F, T>(
  runs: number,
  floorTask: () => Promise<F> | F,
  task: () => Promise<T> | T,
): Promise<{ floor: Measured<F>; task: Measured<T> }> {
  const floor: Measured<F> = { seconds: Number.POSITIVE_INFINITY, result: undefined as F };
  const measured: Measured<T> = { seconds: Number.POSITIVE_INFINITY, result: undefined as T };
  for (let i = 0; i < runs; i++) {
    await measureInto(floor, floorTask);
    await measureInto(measured, task);
  }
  return { floor, task: measured };
}

async function measureInto<T>(best: Measured<T>, task: () => Promise<T> | T): Promise<void> {
  const start = process.hrtime.bigint();
  best.result = await task();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (seconds < best.seconds) best.seconds = seconds;
}

export function mbPerSecond(bytes: number, seconds: number): string {
  return `${(bytes / 1e6 / seconds).toFixed(0)} MB/s`;
}
