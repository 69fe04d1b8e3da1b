import { isRetryableAwsError } from '../adapters/aws-errors';
import { decodeSubscriptionEvent } from '../core/cloudwatch/subscription-payload';
import type { DetectConfig } from '../core/detect/config';
import { type DetectPorts, type DetectResult, detectBatch } from '../core/detect/detect-batch';
import { MalformedPayloadError } from '../core/errors';

export type DetectOutcome =
  | { status: 'detected'; result: DetectResult }
  | { status: 'skipped'; reason: 'control-message' }
  | { status: 'rejected'; problem: MalformedPayloadError['problem']; message: string };

/**
 * What the detect Lambda does with one invocation, apart from wiring: decode and validate the subscription event,
 * run the use case, and sort failures. Every malformed payload is logged and counted (`MalformedPayloads`, which
 * is alarmed); then:
 * - one that was read and proven not to be a batch (`shape`, `base64`, `gzip`, `json`, `schema`) is acknowledged:
 *   it holds no kill, and a retry would fail the same way;
 * - one refused unread because it went past a bound (`too-large`: it inflates past `maxDecodedBytes`, or its JSON
 *   nests deeper or holds more objects than a batch can) is rethrown. Its content is unknown, so it is not
 *   dropped: Lambda cannot be told an error is permanent, so its two async retries run (each refused in
 *   milliseconds, in bounded memory), and then the on-failure destination keeps the event in the dead-letter
 *   queue (alarmed) to be read or redriven with a larger bound.
 * Anything else is rethrown, so Lambda's async retries apply (throttling, 5xx) and, after them, the on-failure
 * destination keeps the event; the idempotent store makes every retry safe.
 */
export async function handleSubscriptionEvent(
  event: unknown,
  ports: DetectPorts,
  config: DetectConfig,
  maxDecodedBytes: number,
): Promise<DetectOutcome> {
  let batch: ReturnType<typeof decodeSubscriptionEvent>;
  try {
    batch = decodeSubscriptionEvent(event, maxDecodedBytes);
  } catch (error) {
    if (!(error instanceof MalformedPayloadError)) throw error;
    ports.telemetry.count('MalformedPayloads');
    const keep = error.problem === 'too-large';
    ports.telemetry.warn(
      keep
        ? 'refused a subscription payload past the decoder bounds; rethrowing so the dead-letter queue keeps it'
        : 'rejected a malformed subscription payload',
      { problem: error.problem, reason: error.message, retryable: false },
    );
    if (keep) throw error;
    return { status: 'rejected', problem: error.problem, message: error.message };
  }
  if (batch.messageType === 'CONTROL_MESSAGE') return { status: 'skipped', reason: 'control-message' };
  try {
    return { status: 'detected', result: await detectBatch(batch, ports, config) };
  } catch (error) {
    ports.telemetry.warn('detection failed; rethrowing so Lambda retries the batch', {
      retryable: isRetryableAwsError(error),
      errorName: (error as Error).name,
      reason: (error as Error).message,
      logGroup: batch.logGroup,
      logStream: batch.logStream,
    });
    throw error;
  }
}
