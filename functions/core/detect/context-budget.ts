import { OomResponderError } from '../errors';

/**
 * GetLogEvents has a hard, account-wide rate limit (10 TPS on the old limits page, not raisable) and is meant for
 * interactive use. In a fleet-wide storm every detector reads at once: retried for long, the reads eat the
 * function's time, it times out, Lambda retries the batch and it ends in the dead-letter queue. So an invocation
 * reads on a budget: a few calls, each aborted after a short while and before the function's deadline. A kill
 * whose report is not read for it is recorded from its own lines, with a note saying so (`ReportGap`).
 */
export interface ContextReadLimits {
  /** GetLogEvents calls one invocation may make, pages included (each call is up to 2 SDK attempts). @default 6 */
  maxCalls: number;
  /** A call (with its retry) is aborted after this long. @default 5_000 */
  callTimeoutMs: number;
  /**
   * No call starts, and one in flight is aborted, once less than this is left before the function's deadline:
   * the time kept to record the kills and start their responses. @default 20_000
   */
  reserveMs: number;
}

export const DEFAULT_CONTEXT_READ_LIMITS: ContextReadLimits = {
  maxCalls: 6,
  callTimeoutMs: 5_000,
  reserveMs: 20_000,
};

/** Why a read was not made: the invocation's calls are spent, or its deadline is too near. */
export type ContextReadRefusal = 'budget' | 'deadline';

/** A read the budget refused (or aborted for the deadline): not a failure of CloudWatch Logs, not retried. */
export class ContextReadRefusedError extends OomResponderError {
  readonly retryable = false;

  constructor(
    readonly reason: ContextReadRefusal,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One invocation's budget of GetLogEvents calls. `take()` before each call: it counts the call and returns the
 * signal that aborts it (at the call timeout or at the deadline less the reserve, whichever comes first), or
 * throws `ContextReadRefusedError` when no call may start. The remaining time is a port: the Lambda passes its
 * context's `getRemainingTimeInMillis`, tests a clock of their own.
 */
export class ContextReadBudget {
  private calls = 0;

  constructor(
    private readonly limits: ContextReadLimits,
    private readonly remainingMs: () => number,
  ) {}

  /** Calls taken so far. */
  get used(): number {
    return this.calls;
  }

  take(): { signal: AbortSignal; timeoutMs: number; deadlineBound: boolean } {
    if (this.calls >= this.limits.maxCalls) {
      throw new ContextReadRefusedError(
        'budget',
        `the invocation's ${this.limits.maxCalls} GetLogEvents calls are spent`,
      );
    }
    const untilReserve = this.remainingMs() - this.limits.reserveMs;
    if (untilReserve <= 0) {
      throw new ContextReadRefusedError(
        'deadline',
        `less than ${this.limits.reserveMs} ms left before the function's deadline`,
      );
    }
    this.calls++;
    const timeoutMs = Math.min(this.limits.callTimeoutMs, untilReserve);
    return {
      signal: AbortSignal.timeout(timeoutMs),
      timeoutMs,
      deadlineBound: timeoutMs < this.limits.callTimeoutMs,
    };
  }
}
