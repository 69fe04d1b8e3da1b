import { type CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { LogContextReader, StreamEvent } from '../../core/detect/ports';

export interface CloudWatchLogContextReaderProps {
  client: CloudWatchLogsClient;
  /** Pages read at most per window: a report is a few hundred lines, a page holds up to 10,000. @default 3 */
  maxPages?: number;
}

/**
 * Reads the lines of one stream around a kill with GetLogEvents: oldest first (`startFromHead`, required when
 * paging), stopping when the forward token comes back unchanged (the end of the window), after `maxPages`, or
 * once a page reached the kill's own time (the report's lines come before its kill line; what follows, such as
 * `oom_reaper`, is not worth another call in a storm).
 */
export class CloudWatchLogContextReader implements LogContextReader {
  private readonly client: CloudWatchLogsClient;
  private readonly maxPages: number;

  constructor(props: CloudWatchLogContextReaderProps) {
    this.client = props.client;
    this.maxPages = props.maxPages ?? 3;
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
      const result = await this.client.send(
        new GetLogEventsCommand({
          logGroupName: request.logGroup,
          logStreamName: request.logStream,
          startTime: request.startMs,
          endTime: request.endMs,
          startFromHead: true,
          ...(token ? { nextToken: token } : {}),
        }),
      );
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
}
