import {
  type CloudWatchLogsClient,
  GetLogEventsCommand,
  type GetLogEventsCommandInput,
  type GetLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { type ContextReadBudget, ContextReadRefusedError } from '../../core/detect/context-budget';
import type { LogContextReader, StreamEvent } from '../../core/detect/ports';

/**
 * Settings for the detector's CloudWatch Logs client: two attempts (one retry), not the burst-tolerant eight.
 * GetLogEvents' rate limit is account-wide and hard, so in a storm retrying only queues behind every other
 * detector; a read that fails degrades to the kill's own lines, which is better than a timed-out invocation.
 */
export const GET_LOG_EVENTS_CLIENT_CONFIG = { retryMode: 'standard', maxAttempts: 2 } as const;

export interface CloudWatchLogContextReaderProps {
  /** Created once per container, with `GET_LOG_EVENTS_CLIENT_CONFIG`. */
  client: CloudWatchLogsClient;
  /** Pages read at most per window: a report is a few hundred lines, a page holds up to 10,000. @default 3 */
  maxPages?: number;
  /**
   * This invocation's budget of calls and time: each page takes one call from it and is aborted by its signal.
   * @default unbudgeted (the CLI and tests that read a local stand-in)
   */
  budget?: ContextReadBudget;
}

/**
 * Reads the lines of one stream around a kill with GetLogEvents: oldest first (`startFromHead`, required when
 * paging), stopping when the forward token comes back unchanged (the end of the window), after `maxPages`, or
 * once a page reached the kill's own time (the report's lines come before its kill line; what follows, such as
 * `oom_reaper`, is not worth another call in a storm). With a budget, a first page that may not start throws
 * `ContextReadRefusedError` (a later one ends the window with what was read), and a page that does not answer in
 * time is abandoned.
 */
export class CloudWatchLogContextReader implements LogContextReader {
  private readonly client: CloudWatchLogsClient;
  private readonly maxPages: number;
  private readonly budget: ContextReadBudget | undefined;

  constructor(props: CloudWatchLogContextReaderProps) {
    this.client = props.client;
    this.maxPages = props.maxPages ?? 3;
    this.budget = props.budget;
  }

  async readWindow(request: {
    logGroup: string;
    logStream: string;
    startMs: number;
    endMs: number;
    coverMs: number;
  }): Promise<StreamEvent[]> {
    const events: StreamEvent[] = [];
    let token: string | undefined;
    for (let page = 0; page < this.maxPages; page++) {
      let result: GetLogEventsCommandOutput;
      try {
        result = await this.getLogEvents({
          logGroupName: request.logGroup,
          logStreamName: request.logStream,
          startTime: request.startMs,
          endTime: request.endMs,
          startFromHead: true,
          ...(token ? { nextToken: token } : {}),
        });
      } catch (error) {
        // Past the first page, the budget ends the window as `maxPages` does: what was read is kept.
        if (page > 0 && error instanceof ContextReadRefusedError) break;
        throw error;
      }
      for (const event of result.events ?? []) {
        if (typeof event.timestamp !== 'number' || typeof event.message !== 'string') continue;
        // The port's window is half-open, as GetLogEvents' is in AWS ("Events with a timestamp equal to or later
        // than this time are not included": API Reference, endTime); kept here too, because moto server, and any
        // other stand-in, may include an event at endTime.
        if (event.timestamp >= request.startMs && event.timestamp < request.endMs) {
          events.push({ timestamp: event.timestamp, message: event.message });
        }
      }
      const next = result.nextForwardToken;
      if (!next || next === token) break;
      const last = events[events.length - 1];
      if (last && last.timestamp >= request.coverMs) break;
      token = next;
    }
    return events;
  }

  private async getLogEvents(input: GetLogEventsCommandInput): Promise<GetLogEventsCommandOutput> {
    if (!this.budget) return this.client.send(new GetLogEventsCommand(input));
    const { signal, timeoutMs, deadlineBound } = this.budget.take();
    try {
      // The SDK aborts the request with the signal; the race also ends a wait the signal does not reach (a retry's
      // back-off sleeps through it), so the call ends on time whatever it is doing.
      return await abortable(
        this.client.send(new GetLogEventsCommand(input), { abortSignal: signal }),
        signal,
      );
    } catch (error) {
      if (!signal.aborted) throw error;
      if (deadlineBound) {
        throw new ContextReadRefusedError(
          'deadline',
          `GetLogEvents abandoned after ${timeoutMs} ms, to keep time before the function's deadline`,
        );
      }
      throw Object.assign(new Error(`GetLogEvents did not answer within ${timeoutMs} ms`, { cause: error }), {
        name: 'TimeoutError',
      });
    }
  }
}

/** `promise`, or a rejection as soon as `signal` aborts, whichever comes first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    // Promise.resolve: a stand-in client (aws-sdk-client-mock) may answer without a promise.
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
