import { MEMORY_METRIC_NAMES, type MemoryMetricsReader } from '../metrics/memory-series';
import { type MemoryTimelineOutcome, windowOf } from '../metrics/memory-window';

/** How the analyze step reads the hour before a kill; absent: the deployment publishes no memory metrics. */
export interface MemoryTimelineConfig {
  /** The early-warning alarm's threshold on available memory (percent), said in the message. Null: no alarm. */
  thresholdPercent: number | null;
  /**
   * How long the read may take. The timeline is worth a few seconds of a 30-second analysis, never the analysis:
   * past this the read is aborted and the message says so. @default 3000 ms
   */
  budgetMs?: number;
}

export interface MemoryTimelineRequest {
  reader: MemoryMetricsReader | undefined;
  config: MemoryTimelineConfig | undefined;
  instanceId: string | null;
  /** When the kill was; the window is the hour before it, to the end of its minute. */
  killAt: Date | null;
  drill: boolean;
  now: Date;
}

const HOUR_MS = 3_600_000;
const PERIOD_SECONDS = 60;
const DEFAULT_BUDGET_MS = 3000;

/** Aborts the read when the budget is spent (the reader passes the signal to the SDK). */
export class MemoryTimelineTimeoutError extends Error {
  constructor(readonly budgetMs: number) {
    super(`the memory metrics were not read within ${budgetMs} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * The instance's available memory and swap use over the hour before the kill, through the reader, within the
 * budget. Never throws: a failure, a slow CloudWatch or no data is an outcome the message can explain, and the
 * analysis goes on without it. A drill reads nothing (its kill is synthetic; its message needs no timeline).
 */
export async function readMemoryTimeline(request: MemoryTimelineRequest): Promise<MemoryTimelineOutcome> {
  const { reader, config, instanceId, killAt, now } = request;
  if (request.drill) return { status: 'not-read', reason: 'drill' };
  if (!reader || !config) return { status: 'not-read', reason: 'not-configured' };
  if (!instanceId || !killAt || Number.isNaN(killAt.getTime()))
    return { status: 'not-read', reason: 'no-instance' };
  const periodMs = PERIOD_SECONDS * 1000;
  // Whole minutes, as the agent's points are: the last slot is the kill's own minute.
  const to = new Date(Math.ceil((killAt.getTime() + 1) / periodMs) * periodMs);
  const from = new Date(to.getTime() - HOUR_MS);
  const budgetMs = config.budgetMs ?? DEFAULT_BUDGET_MS;
  try {
    const series = await withinBudget(budgetMs, (signal) =>
      reader.read(
        { instanceId, metrics: MEMORY_METRIC_NAMES, from, to, periodSeconds: PERIOD_SECONDS },
        { signal },
      ),
    );
    const window = windowOf(instanceId, series, {
      from,
      to,
      killAt,
      readAt: now,
      thresholdPercent: config.thresholdPercent,
    });
    if (window.available.every((value) => value === null)) return { status: 'no-metrics', instanceId };
    return { status: 'read', window };
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error;
    return { status: 'unreadable', instanceId, error: name.slice(0, 200) };
  }
}

/**
 * Runs `read` with a signal that aborts at the budget, and gives up at the budget even if the reader ignores the
 * signal: the analysis never waits longer than the budget for a timeline.
 */
async function withinBudget<T>(budgetMs: number, read: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new MemoryTimelineTimeoutError(budgetMs);
      // Rejected first, so the race reports the budget rather than the SDK's own AbortError.
      reject(error);
      controller.abort(error);
    }, budgetMs);
  });
  try {
    return await Promise.race([read(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
