import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod';
import { MalformedPayloadError } from '../errors';
import { jsonBoundProblem } from './json-bounds';

/**
 * The CloudWatch Logs subscription event: `{"awslogs":{"data":"<base64 of gzip of JSON>"}}`. The schema follows
 * Powertools' `CloudWatchLogsDecodeSchema`. Decoding is bounded, so that no payload can exhaust memory: gunzip
 * stops at `maxDecodedBytes`, and the JSON's nesting and count of arrays and objects are checked before it is
 * parsed (`json-bounds.ts`). A payload past a bound is refused unread, as `too-large`.
 */
export const DEFAULT_MAX_DECODED_BYTES = 10 * 1024 * 1024;

/** One log event of a batch: `id` is CloudWatch Logs' own (a large decimal), `timestamp` epoch milliseconds. */
export interface SubscriptionLogEvent {
  id: string;
  timestamp: number;
  message: string;
}

/** A decoded batch: the events of one log stream. A CONTROL_MESSAGE decodes with no events. */
export interface SubscriptionBatch {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: SubscriptionLogEvent[];
}

const EventSchema = z.object({ awslogs: z.object({ data: z.string().min(1) }) });

/** True when `value` has the outer shape of a subscription event (whatever its data holds). */
export function isSubscriptionEvent(value: unknown): value is { awslogs: { data: string } } {
  return EventSchema.safeParse(value).success;
}

/** Decode and validate a subscription event; throws `MalformedPayloadError` saying what was wrong. */
export function decodeSubscriptionEvent(
  event: unknown,
  maxDecodedBytes: number = DEFAULT_MAX_DECODED_BYTES,
): SubscriptionBatch {
  const outer = EventSchema.safeParse(event);
  if (!outer.success) {
    throw new MalformedPayloadError('shape', 'expected {"awslogs":{"data":"<base64 gzip>"}}', {
      cause: outer.error,
    });
  }
  const compressed = decodeBase64(outer.data.awslogs.data);
  let json: Buffer;
  try {
    // zlib checks the limit as it inflates, chunk by chunk: a gzip bomb stops at the bound, not at its full size.
    json = gunzipSync(compressed, { maxOutputLength: maxDecodedBytes });
  } catch (error) {
    const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw tooLarge
      ? new MalformedPayloadError('too-large', `awslogs.data inflates beyond ${maxDecodedBytes} bytes`, {
          cause: error,
        })
      : new MalformedPayloadError('gzip', 'awslogs.data is not gzip', { cause: error });
  }
  const bound = jsonBoundProblem(json);
  if (bound !== null) {
    const what = bound.bound === 'depth' ? 'nests JSON deeper than' : 'holds more arrays and objects than';
    throw new MalformedPayloadError(
      'too-large',
      `awslogs.data ${what} a subscription batch can (${bound.reached} > ${bound.limit}); not parsed`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch (error) {
    throw new MalformedPayloadError('json', 'awslogs.data does not hold JSON', { cause: error });
  }
  return parseSubscriptionBatch(parsed);
}

/**
 * Base64 to bytes, refusing text that is not base64. Node's decoder skips characters outside the alphabet, so
 * such text decodes to fewer bytes than its length implies; comparing the two is as strict as a pattern test
 * and costs nothing, where a pattern over a 1.4 MB payload took 8 ms.
 */
function decodeBase64(data: string): Buffer {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(data, 'base64');
  if (data.length % 4 === 1 || bytes.length !== Math.floor(((data.length - padding) * 3) / 4)) {
    throw new MalformedPayloadError('base64', 'awslogs.data is not base64');
  }
  return bytes;
}

/**
 * Validate an already decoded batch (as `aws logs` tooling or a test fixture may hold it), in place. Written by
 * hand rather than with a schema library: a 1 MiB batch holds tens of thousands of events, and a schema parser
 * copies each one (measured at 10-40 ms a batch, a fifth of the detector's pure path).
 */
export function parseSubscriptionBatch(value: unknown): SubscriptionBatch {
  const control = controlMessageOf(value);
  if (control !== null) return control;
  const where = firstProblemIn(value);
  if (where !== null) {
    throw new MalformedPayloadError('schema', `subscription batch does not match the schema at ${where}`);
  }
  return value as SubscriptionBatch;
}

/**
 * A CONTROL_MESSAGE, whatever else it holds, as an empty batch; null for anything else. CloudWatch Logs sends one
 * to check that the destination is reachable, with empty ids, log group and stream (`{"messageType":
 * "CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":
 * [{"id":"","timestamp":...,"message":"CWL CONTROL MESSAGE: Checking health of destination ..."}]}`): holding
 * it to the schema of data would count a health check as a malformed payload and trip the alarm. Its events are
 * the service's words, not log lines, so none is kept.
 */
function controlMessageOf(value: unknown): SubscriptionBatch | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const batch = value as Record<string, unknown>;
  if (batch.messageType !== 'CONTROL_MESSAGE') return null;
  const text = (field: unknown): string => (typeof field === 'string' ? field : '');
  return {
    messageType: 'CONTROL_MESSAGE',
    owner: text(batch.owner),
    logGroup: text(batch.logGroup),
    logStream: text(batch.logStream),
    subscriptionFilters: [],
    logEvents: [],
  };
}

const MESSAGE_TYPES: ReadonlySet<unknown> = new Set(['DATA_MESSAGE']);
const STRING_FIELDS = ['owner', 'logGroup', 'logStream'] as const;

/** The path of the first field that does not match `SubscriptionBatch`, or null when all do. */
function firstProblemIn(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return '(root)';
  const batch = value as Record<string, unknown>;
  if (!MESSAGE_TYPES.has(batch.messageType)) return 'messageType';
  for (const field of STRING_FIELDS) if (typeof batch[field] !== 'string') return field;
  const filters = batch.subscriptionFilters;
  if (!Array.isArray(filters)) return 'subscriptionFilters';
  for (let i = 0; i < filters.length; i++) {
    if (typeof filters[i] !== 'string') return `subscriptionFilters.${i}`;
  }
  const events = batch.logEvents;
  if (!Array.isArray(events)) return 'logEvents';
  for (let i = 0; i < events.length; i++) {
    const problem = logEventProblem(events[i]);
    if (problem !== null) return `logEvents.${i}${problem}`;
  }
  return null;
}

function logEventProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return '';
  const event = value as Record<string, unknown>;
  if (typeof event.id !== 'string' || event.id.length === 0) return '.id';
  const timestamp = event.timestamp;
  // Epoch milliseconds a Date can hold (ECMA-262 21.4.1.1): beyond that no time can be told from it.
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp < 0 || timestamp > 8.64e15) {
    return '.timestamp';
  }
  if (typeof event.message !== 'string') return '.message';
  return null;
}

/** Build a subscription event from a batch: for tests, fixtures and the local replay. */
export function encodeSubscriptionEvent(batch: SubscriptionBatch): { awslogs: { data: string } } {
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(batch))).toString('base64') } };
}
