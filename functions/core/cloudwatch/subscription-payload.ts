import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { MalformedPayloadError } from '../errors';

/**
 * The CloudWatch Logs subscription event: `{"awslogs":{"data":"<base64 of gzip of JSON>"}}`. The schema follows
 * Powertools' `CloudWatchLogsDecodeSchema`; decoding is bounded so a hostile payload cannot exhaust memory.
 */
export const DEFAULT_MAX_DECODED_BYTES = 10 * 1024 * 1024;

const LogEventSchema = z.object({
  id: z.string().min(1),
  timestamp: z.number().int().nonnegative(),
  message: z.string(),
});

export const SubscriptionBatchSchema = z.object({
  messageType: z.enum(['DATA_MESSAGE', 'CONTROL_MESSAGE']),
  owner: z.string(),
  logGroup: z.string(),
  logStream: z.string(),
  subscriptionFilters: z.array(z.string()),
  logEvents: z.array(LogEventSchema),
});

export type SubscriptionBatch = z.infer<typeof SubscriptionBatchSchema>;
export type SubscriptionLogEvent = z.infer<typeof LogEventSchema>;

const EventSchema = z.object({ awslogs: z.object({ data: z.string().min(1) }) });
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

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
  const data = outer.data.awslogs.data;
  if (data.length % 4 === 1 || !BASE64.test(data)) {
    throw new MalformedPayloadError('base64', 'awslogs.data is not base64');
  }
  let json: string;
  try {
    json = gunzipSync(Buffer.from(data, 'base64'), { maxOutputLength: maxDecodedBytes }).toString('utf8');
  } catch (error) {
    const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw tooLarge
      ? new MalformedPayloadError('too-large', `awslogs.data inflates beyond ${maxDecodedBytes} bytes`, {
          cause: error,
        })
      : new MalformedPayloadError('gzip', 'awslogs.data is not gzip', { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new MalformedPayloadError('json', 'awslogs.data does not hold JSON', { cause: error });
  }
  return parseSubscriptionBatch(parsed);
}

/** Validate an already decoded batch (as `aws logs` tooling or a test fixture may hold it). */
export function parseSubscriptionBatch(value: unknown): SubscriptionBatch {
  const batch = SubscriptionBatchSchema.safeParse(value);
  if (!batch.success) {
    const where = batch.error.issues[0]?.path.join('.') || '(root)';
    throw new MalformedPayloadError('schema', `subscription batch does not match the schema at ${where}`, {
      cause: batch.error,
    });
  }
  return batch.data;
}

/** Build a subscription event from a batch: for tests, fixtures and the local replay. */
export function encodeSubscriptionEvent(batch: SubscriptionBatch): { awslogs: { data: string } } {
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(batch))).toString('base64') } };
}
