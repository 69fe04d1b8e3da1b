import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { OomResponderError } from '../../core/errors';

/** One action of a transaction, as the document client takes it. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Why one action of a cancelled transaction did not go through, and the item it met (`ALL_OLD`). */
export interface ActionReason {
  /** Its condition did not hold. */
  failed: boolean;
  /** DynamoDB's code: `None` for an action that would have gone through. */
  code: string;
  item: Record<string, unknown> | null;
}

export type TransactOutcome = { ok: true } | { ok: false; reasons: ActionReason[] };

/** A transaction that kept meeting another one on the same items, or throttling: the batch is tried again later. */
export class TransactionContendedError extends OomResponderError {
  readonly retryable = true;
}

export interface TransactOptions {
  /** Tries when the transaction is cancelled by a conflict or by throttling. @default 5 */
  attempts?: number;
  /** Waits between those tries; injected by tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** Codes a cancelled transaction may succeed after, tried again: another transaction held an item, or throttling. */
const CONTENDED = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

/**
 * Send one TransactWriteItems. Conditions that do not hold are the caller's answer (`{ ok: false, reasons }`,
 * one reason per action, in order: DynamoDB evaluates every action and reports each; "TransactWriteItems",
 * DynamoDB API Reference, `TransactionCanceledException`). A conflict with a concurrent transaction is tried
 * again after a jittered wait; any other cancellation (a validation error, an item too large) is thrown as it is.
 * The SDK fills `ClientRequestToken`, so its own retry of a lost answer is not applied twice.
 */
export async function transactWrite(
  client: DynamoDBDocumentClient,
  items: TransactItem[],
  options: TransactOptions = {},
): Promise<TransactOutcome> {
  const attempts = options.attempts ?? 5;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const codes = reasons.map((reason) => reason.code);
      if (codes.some((code) => CONTENDED.has(code))) {
        if (attempt >= attempts) {
          throw new TransactionContendedError(
            `the transaction was cancelled ${attempts} times (${codes.filter((code) => code !== 'None').join(', ')})`,
            { cause: error },
          );
        }
        // Full jitter on a short base: the other transaction is one of ours and finishes within milliseconds.
        await sleep(Math.random() * 20 * 2 ** attempt);
        continue;
      }
      if (codes.some((code) => code !== 'None' && code !== 'ConditionalCheckFailed')) throw error;
      return { ok: false, reasons };
    }
  }
}

function cancellationReasons(error: unknown): ActionReason[] | null {
  const candidate = error as {
    name?: string;
    CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[];
  } | null;
  if (candidate?.name !== 'TransactionCanceledException' || !Array.isArray(candidate.CancellationReasons))
    return null;
  return candidate.CancellationReasons.map((reason) => ({
    failed: reason.Code === 'ConditionalCheckFailed',
    code: reason.Code ?? 'None',
    item: reason.Item ? plainItem(reason.Item) : null,
  }));
}

/**
 * The item of a cancellation reason as plain values. The document client converts what a call returns, but not
 * what an error carries: there the item is still in DynamoDB's wire form (`{ "pk": { "S": "..." } }`).
 */
function plainItem(item: Record<string, unknown>): Record<string, unknown> {
  const wire = Object.values(item).every(
    (value) =>
      typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1,
  );
  return wire ? unmarshall(item as Record<string, AttributeValue>) : item;
}
