import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoKillRecorder } from '../../../../functions/adapters/dynamodb/kill-recorder';
import { TransactionContendedError } from '../../../../functions/adapters/dynamodb/transact-write';
import { realKill, recordRequest } from '../../../support/kills';

// The recorder's calls, counted, and DynamoDB's answers that no local substrate gives on demand (a conflict with
// a concurrent transaction). Its semantics are tested on real substrates in kill-recording.contract.test.ts.
const dynamo = mockClient(DynamoDBDocumentClient);
const recorder = new DynamoKillRecorder({
  client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'incidents',
});
const T0 = Date.parse('2026-11-25T16:58:01Z');

function kills(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    kill: realKill({ pid: 1000 + i, kernelTime: 1000 + i }),
    observedAtMs: T0 + i * 10,
  }));
}

function cancelled(codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: `Transaction cancelled [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

beforeEach(() => dynamo.reset());

describe('DynamoKillRecorder', () => {
  it('records 10,000 kills of one host in 102 transactions, none over 100 actions', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const result = await recorder.recordKills(recordRequest('i-0123456789abcdef0', kills(10_000)));
    const calls = dynamo.commandCalls(TransactWriteCommand);
    expect(result.recorded).toHaveLength(10_000);
    expect(calls).toHaveLength(1 + Math.ceil((10_000 - 98) / 99));
    for (const call of calls) expect(call.args[0].input.TransactItems?.length).toBeLessThanOrEqual(100);
    // Each kill is put exactly once, across all transactions.
    const puts = calls.flatMap((call) =>
      (call.args[0].input.TransactItems ?? []).flatMap((item) =>
        String(item.Put?.Item?.pk ?? '').startsWith('KILL#') ? [String(item.Put?.Item?.pk)] : [],
      ),
    );
    expect(new Set(puts).size).toBe(10_000);
    console.log(
      `10,000 kills of one host: ${calls.length} DynamoDB calls, ${((calls.length * 5) / 1000).toFixed(2)} s ` +
        'at 5 ms a call (the detect function has 60 s)',
    );
  });

  it('tries a transaction again when it met a concurrent one, and gives up as retryable after five', async () => {
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(['None', 'TransactionConflict', 'None']))
      .resolves({});
    const result = await recorder.recordKills(recordRequest('i-0123456789abcdef0', kills(1)));
    expect(result.opened).toBe(true);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(2);

    dynamo.reset();
    dynamo.on(TransactWriteCommand).rejects(cancelled(['TransactionConflict', 'None', 'None']));
    const failure = await recorder
      .recordKills(recordRequest('i-0123456789abcdef0', kills(1)))
      .catch((e) => e);
    expect(failure).toBeInstanceOf(TransactionContendedError);
    expect(failure.retryable).toBe(true);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(5);
  });

  it('throws a cancellation it cannot act on (a validation error) as it is', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled(['None', 'ValidationError', 'None']));
    await expect(recorder.recordKills(recordRequest('i-0123456789abcdef0', kills(1)))).rejects.toBeInstanceOf(
      TransactionCanceledException,
    );
  });
});
