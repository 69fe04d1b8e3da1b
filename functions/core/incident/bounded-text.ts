import { createHash } from 'node:crypto';

/**
 * Bounds on what a kill line can make the pipeline store. A real kernel prints short fields (a 15-byte comm, a
 * cgroup path of a few hundred bytes), but a CloudWatch event may be 256 KB and a forged or corrupt line may put
 * all of it in one field: unbounded, that field would push an incident item past DynamoDB's 400 KB item limit, or
 * a key past its 2048-byte partition-key and 1024-byte sort-key limits (DynamoDB Developer Guide, "Quotas":
 * "Partition key length ... maximum length of 2048 bytes"; "Sort key length ... maximum length of 1024 bytes"),
 * and every retry of the batch would fail the same way.
 */

/** Longest text kept of one field of the incident's first kill (UTF-16 units; the marker is added past it). */
export const MAX_FIELD_CHARS = 1024;

/**
 * Longest text kept of one field of a kill's digest, of which an incident lists 50; a cgroup path gets more
 * (a Kubernetes pod's is about 180 characters). At 3 UTF-8 bytes a unit at most, 50 digests stay under 200 KB.
 */
export const MAX_DIGEST_FIELD_CHARS = 128;
export const MAX_DIGEST_PATH_CHARS = 384;

/** Longest key part (UTF-8 bytes): leaves room for the prefixes and the other parts of a 1024-byte sort key. */
export const MAX_KEY_PART_BYTES = 400;

const CLIPPED = '…[clipped]';

/** `text` as it is when short, else its first `max` characters and a marker that says it was cut. */
export function clipText<T extends string | null>(text: T, max = MAX_FIELD_CHARS): T {
  if (text === null || text.length <= max) return text;
  return `${text.slice(0, max)}${CLIPPED}` as T;
}

/**
 * A key part that fits a DynamoDB key: as it is when it is short, else its start and a hash of the whole, so
 * that two long values that differ only past the cut still get different keys (and the same value the same key).
 */
export function boundedKeyPart(value: string, maxBytes = MAX_KEY_PART_BYTES): string {
  if (Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  const hash = createHash('sha256').update(value).digest('hex');
  // Cut by characters well under the byte budget: a character is at most 4 bytes in UTF-8.
  const keep = Math.floor((maxBytes - hash.length - 1) / 4);
  return `${value.slice(0, keep)}#${hash}`;
}
