import { basename } from 'node:path';
import {
  decodeSubscriptionEvent,
  isSubscriptionEvent,
  parseSubscriptionBatch,
  type SubscriptionBatch,
} from '../../functions/core/cloudwatch/subscription-payload';
import { matchesSubscriptionFilter } from '../../functions/core/detect/filter-terms';
import type { StreamEvent } from '../../functions/core/detect/ports';
import { MalformedPayloadError } from '../../functions/core/errors';
import { CHECKED_JSON_LINE_CHARS, InputBoundError, MAX_JSON_DEPTH } from '../io/bounds';
import { type JsonRecord, JsonRecordSplitter, nestsDeeperThan, opensJson } from '../io/json-records';
import { lineClock, type ReplayClock } from './timeline';

/** The log group a replayed file's lines are filed under (a file is one stream, as an agent ships it). */
export const REPLAY_LOG_GROUP = 'oom-responder-replay';
/** The account a replayed batch names: none. */
export const REPLAY_OWNER = 'local';

export interface ReplayInput {
  /** The path as given (`-` or `stdin` for standard input). */
  name: string;
  text: string;
}

/** One log stream: every line, oldest first, as GetLogEvents would return them. */
export interface ReplayStream {
  logGroup: string;
  logStream: string;
  events: (StreamEvent & { id: string })[];
}

export interface ReplayFeed {
  /** What CloudWatch Logs would deliver to the detector through the subscription filter, oldest first. */
  batches: SubscriptionBatch[];
  /** Every line of every stream, for rebuilding each kill's full report. */
  streams: ReplayStream[];
  /** Payloads that could not be decoded; the rest is still replayed. */
  problems: string[];
  /**
   * The timestamps (epoch ms) the replay made up for lines the log gave no wall-clock time (`LineTime.madeUp`): a
   * kill stamped with one of them happened at a time the log does not tell.
   */
  madeUpTimesMs: ReadonlySet<number>;
}

type Document =
  | { kind: 'batch'; batch: SubscriptionBatch }
  | { kind: 'get-log-events'; events: { logStream: string | null; timestamp: number; message: string }[] }
  | { kind: 'line'; line: string }
  | { kind: 'skip' }
  | { kind: 'problem'; message: string };

/**
 * Turn the replayed inputs into what the detector sees live. A saved subscription event or decoded batch is
 * delivered as it is. Anything else is a log stream: a kernel log file (any transport the parser reads, JSON
 * journal records included) is one stream named after the file, `aws logs get-log-events` output one stream per
 * stream it names. Each line gets the time an agent would have shipped it at (`lineClock`), the detector
 * receives only the lines the subscription filter passes, and the whole stream stays readable for the context.
 */
export function replayFeed(inputs: readonly ReplayInput[], clock: ReplayClock): ReplayFeed {
  const streams = new Map<string, ReplayStream>();
  const delivered: SubscriptionBatch[] = [];
  const problems: string[] = [];
  const madeUpTimesMs = new Set<number>();
  let nextId = 0;
  const id = (): string => `replay-${String(++nextId).padStart(9, '0')}`;
  const streamOf = (logGroup: string, logStream: string): ReplayStream => {
    const key = `${logGroup}\n${logStream}`;
    let stream = streams.get(key);
    if (!stream) {
      stream = { logGroup, logStream, events: [] };
      streams.set(key, stream);
    }
    return stream;
  };

  for (const input of inputs) {
    const name = input.name === '-' ? 'stdin' : basename(input.name);
    const lines: string[] = [];
    for (const document of documentsOf(input.text, input.name)) {
      if (document.kind === 'line') lines.push(document.line);
      else if (document.kind === 'skip') continue;
      else if (document.kind === 'problem') problems.push(`${name}: ${document.message}`);
      else if (document.kind === 'batch') {
        delivered.push(document.batch);
        const stream = streamOf(document.batch.logGroup, document.batch.logStream);
        for (const event of document.batch.logEvents) stream.events.push({ ...event });
      } else {
        for (const event of document.events) {
          streamOf(REPLAY_LOG_GROUP, event.logStream ?? name).events.push({ ...event, id: id() });
        }
      }
    }
    if (lines.length === 0) continue;
    const times = lineClock(lines, clock);
    const stream = streamOf(REPLAY_LOG_GROUP, name);
    lines.forEach((message, i) => {
      const time = times[i] ?? { ms: clock.nowMs, madeUp: true };
      if (time.madeUp) madeUpTimesMs.add(time.ms);
      stream.events.push({ id: id(), timestamp: time.ms, message });
    });
  }

  const deliveredStreams = new Set(delivered.map((batch) => `${batch.logGroup}\n${batch.logStream}`));
  const batches = [...delivered];
  for (const [key, stream] of streams) {
    stream.events.sort((a, b) => a.timestamp - b.timestamp);
    if (deliveredStreams.has(key)) continue;
    const logEvents = stream.events.filter((event) => matchesSubscriptionFilter(event.message));
    if (logEvents.length > 0) batches.push(batchOf(stream, logEvents));
  }
  batches.sort((a, b) => firstTimestamp(a) - firstTimestamp(b));
  return { batches, streams: [...streams.values()], problems, madeUpTimesMs };
}

function batchOf(stream: ReplayStream, logEvents: ReplayStream['events']): SubscriptionBatch {
  return {
    messageType: 'DATA_MESSAGE',
    owner: REPLAY_OWNER,
    logGroup: stream.logGroup,
    logStream: stream.logStream,
    subscriptionFilters: ['oom-responder-replay'],
    logEvents: logEvents.map((event) => ({
      id: event.id,
      timestamp: event.timestamp,
      message: event.message,
    })),
  };
}

function firstTimestamp(batch: SubscriptionBatch): number {
  return batch.logEvents[0]?.timestamp ?? 0;
}

/**
 * The input as documents: a text that is wholly a sequence of JSON values the replay knows (a pretty-printed
 * subscription event, `aws logs get-log-events` output, `journalctl -o json-pretty`) is read as such; otherwise
 * it is lines, where a line holding a subscription event or batch (one per line) is delivered as it is.
 */
function documentsOf(text: string, name: string): Document[] {
  let whole: unknown[] | null;
  try {
    whole = wholeJson(text);
  } catch (error) {
    if (error instanceof InputBoundError) throw new InputBoundError(`cannot read ${name}: ${error.message}`);
    throw error;
  }
  if (whole) {
    const documents = whole.flatMap((value) => jsonDocuments(value));
    if (documents && !documents.some((document) => document === null)) return documents as Document[];
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((raw, index): Document => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.startsWith('{')) return { kind: 'line', line };
    // Too deep to be a payload, and costly to build or even to scan again: skipped, as `parse` skips it.
    if (line.length > CHECKED_JSON_LINE_CHARS && nestsDeeperThan(line)) {
      return {
        kind: 'problem',
        message: `skipped line ${index + 1}: JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
      };
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { kind: 'line', line };
    }
    const [document] = jsonDocuments(value);
    return document && document.kind !== 'line' ? document : { kind: 'line', line };
  });
}

/**
 * The values of a text made only of JSON values (and blanks between them), or null; the elements of a top-level
 * array count as values. Nesting deeper than the CLI reads ends the replay with an `InputBoundError`.
 */
function wholeJson(text: string): unknown[] | null {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return null;
  const splitter = new JsonRecordSplitter();
  const records: JsonRecord[] = [];
  let lineNumber = 0;
  for (const line of text.split('\n')) {
    lineNumber++;
    // Nothing but blanks may lie between the values: `[  321.7] ...` dmesg text is no JSON.
    if (splitter.idle && line.trim() !== '' && !opensJson(line)) return null;
    splitter.push(line, lineNumber, records);
  }
  if (splitter.openRecordLine() !== null || records.length === 0) return null;
  try {
    return records.map((record) => JSON.parse(record.text) as unknown);
  } catch {
    return null;
  }
}

/** What one JSON value holds, as documents; null marks a value the replay does not know. */
function jsonDocuments(value: unknown): (Document | null)[] {
  if (Array.isArray(value)) return value.flatMap((item) => jsonDocuments(item));
  if (typeof value !== 'object' || value === null) return [null];
  const record = value as Record<string, unknown>;
  if ('awslogs' in record && isSubscriptionEvent(record))
    return [decoded(() => decodeSubscriptionEvent(record))];
  if ('logEvents' in record && 'messageType' in record)
    return [decoded(() => parseSubscriptionBatch(record))];
  if (Array.isArray(record.events)) {
    const events = (record.events as unknown[]).flatMap((event) => {
      const e = event as Record<string, unknown> | null;
      if (typeof e?.message !== 'string' || typeof e.timestamp !== 'number') return [];
      const logStream = typeof e.logStreamName === 'string' ? e.logStreamName : null;
      return [{ logStream, timestamp: e.timestamp, message: e.message }];
    });
    return [{ kind: 'get-log-events', events }];
  }
  // A journald record (`journalctl -o json` / `json-pretty`): one line for the parser, compact.
  if (typeof record.MESSAGE === 'string' || Array.isArray(record.MESSAGE)) {
    return [{ kind: 'line', line: JSON.stringify(record) }];
  }
  return [null];
}

function decoded(decode: () => SubscriptionBatch): Document {
  try {
    const batch = decode();
    // CloudWatch Logs checks a new subscription with a CONTROL_MESSAGE: nothing to detect.
    if (batch.messageType !== 'DATA_MESSAGE') return { kind: 'skip' };
    return { kind: 'batch', batch };
  } catch (error) {
    if (!(error instanceof MalformedPayloadError)) throw error;
    return { kind: 'problem', message: `skipped a CloudWatch payload: ${error.message}` };
  }
}
