import { NOTIFY_INCOMPLETE_RETRIES } from '../../../functions/core/respond/notify-errors';

/**
 * The Notify task as the workflow runs it (lib/workflow/response-workflow.ts), on a fake clock: each invocation
 * gets the 60 s of the notify function's timeout; `NotificationIncompleteError` is retried 6 times after 30 s,
 * doubling, at most 5 minutes (the upper bound of the full jitter, so runs are repeatable); any other error twice,
 * after 10 s and 20 s. Invocations due at the same instant run concurrently, as two Lambdas would.
 */
export const FUNCTION_TIMEOUT_MS = 60_000;

export class FakeClock {
  constructor(public ms: number) {}
  now = (): Date => new Date(this.ms);
  sleep = async (ms: number): Promise<void> => {
    this.ms += ms;
  };
}

/** One notify invocation: given its remaining time, it resolves (done) or throws (the workflow decides). */
export type Invoke<T> = (remainingMs: () => number) => Promise<T>;

export interface Run<T> {
  id: string;
  /** When the workflow first reaches Notify (epoch ms). */
  firstAtMs: number;
  invoke: Invoke<T>;
}

export interface RunResult<T> {
  id: string;
  result: T | null;
  error: unknown;
  invocations: number;
}

interface Pending<T> {
  run: Run<T>;
  atMs: number;
  incomplete: number;
  failed: number;
  invocations: number;
}

/** Invocations that ran past the function's timeout, since the module loaded (a test expects none). */
export const overruns = { count: 0 };

/** Drive every run to its end the way Step Functions would retry it; returns how each ended. */
export async function asWorkflow<T>(clock: FakeClock, runs: readonly Run<T>[]): Promise<RunResult<T>[]> {
  let queue: Pending<T>[] = runs.map((run) => ({
    run,
    atMs: run.firstAtMs,
    incomplete: 0,
    failed: 0,
    invocations: 0,
  }));
  const done: RunResult<T>[] = [];
  while (queue.length > 0) {
    const at = Math.min(...queue.map((p) => p.atMs));
    const due = queue.filter((p) => p.atMs === at);
    queue = queue.filter((p) => p.atMs !== at);
    clock.ms = Math.max(clock.ms, at);
    const startedAt = clock.ms;
    const remainingMs = () => FUNCTION_TIMEOUT_MS - (clock.ms - startedAt);
    const settled = await Promise.allSettled(due.map((p) => p.run.invoke(remainingMs)));
    // An invocation that ran past the function's timeout was killed by Lambda: Step Functions sees a task failure
    // whatever it went on to do (and what it did before stays done).
    const overran = clock.ms - startedAt > FUNCTION_TIMEOUT_MS;
    if (overran) overruns.count += due.length;
    const outcomes: PromiseSettledResult<T>[] = overran
      ? settled.map(() => ({
          status: 'rejected',
          reason: Object.assign(new Error('Task timed out'), { name: 'Sandbox.Timedout' }),
        }))
      : settled;
    outcomes.forEach((outcome, i) => {
      const p = due[i] as Pending<T>;
      p.invocations++;
      if (outcome.status === 'fulfilled') {
        done.push({ id: p.run.id, result: outcome.value, error: null, invocations: p.invocations });
        return;
      }
      const incomplete = (outcome.reason as Error)?.name === 'NotificationIncompleteError';
      const retry = incomplete ? p.incomplete < NOTIFY_INCOMPLETE_RETRIES : p.failed < 2;
      if (!retry) {
        done.push({ id: p.run.id, result: null, error: outcome.reason, invocations: p.invocations });
        return;
      }
      const wait = incomplete ? Math.min(30_000 * 2 ** p.incomplete, 300_000) : 10_000 * 2 ** p.failed;
      if (incomplete) p.incomplete++;
      else p.failed++;
      // The retry comes after the invocation ended (its run time is what the fake clock moved on by).
      queue.push({ ...p, atMs: clock.ms + Math.max(wait, 1) });
    });
    // Time passes between invocations even when none slept.
    clock.ms += 1;
  }
  return done;
}
