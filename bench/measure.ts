/** Best of `runs` wall-clock measurements, in seconds; the first run also warms the JIT. */
export async function bestOf<T>(
  runs: number,
  task: () => Promise<T> | T,
): Promise<{ seconds: number; result: T }> {
  let best = Number.POSITIVE_INFINITY;
  let result: T | undefined;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    result = await task();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (seconds < best) best = seconds;
  }
  return { seconds: best, result: result as T };
}

export function mbPerSecond(bytes: number, seconds: number): string {
  return `${(bytes / 1e6 / seconds).toFixed(0)} MB/s`;
}
