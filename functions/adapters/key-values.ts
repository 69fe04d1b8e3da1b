import type { RecordKillsRequest } from '../core/detect/ports';
import { OomResponderError } from '../core/errors';

/** What a store files items under: the ids a key is built from, and the key attributes themselves. */
export type KeyPart =
  | 'incident id'
  | 'instance key'
  | 'kill key'
  | 'storm window'
  | 'pk'
  | 'sk'
  | 'observed at'
  | 'gsi1pk'
  | 'gsi1sk'
  | 'gsi2pk'
  | 'gsi2sk';

/**
 * A key value that is empty. DynamoDB refuses an empty string as a table or index key attribute, in an item and
 * in a key condition ("must have a length greater than zero if the attribute is used as a key attribute for a
 * table or index": DynamoDB API Reference, PutItem); an empty id would also file every item with a broken id
 * under one key (`INCIDENT#`). Refused before anything is sent, by the DynamoDB store and the memory store alike,
 * so the fake is not kinder than DynamoDB. A bug in the caller, never worth retrying.
 */
export class EmptyKeyValueError extends OomResponderError {
  readonly retryable = false;

  constructor(readonly part: KeyPart) {
    super(`empty ${part}: a store key value must not be an empty string`);
  }
}

/** `value`, or an `EmptyKeyValueError` naming `part` when it is empty. */
export function keyPart(part: KeyPart, value: string): string {
  // The type says string; a value read from JSON may still be missing, which must not become `INCIDENT#undefined`.
  if (typeof value !== 'string' || value.length === 0) throw new EmptyKeyValueError(part);
  return value;
}

/**
 * The ids a group of kills is filed under, checked before anything is written: a store that found an empty one
 * halfway would leave the instance claimed and the kills recorded for an incident that never gets created.
 */
export function checkRecordKillsKeys(request: RecordKillsRequest): void {
  keyPart('instance key', request.instanceKey);
  keyPart('incident id', request.incident.id);
  keyPart('storm window', request.stormWindow);
  for (const kill of request.kills) keyPart('kill key', kill.digest.key);
}
