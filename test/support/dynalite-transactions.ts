import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

/**
 * TransactWriteItems for dynalite, which implements the 2012-08-10 API without transactions. A loopback proxy
 * passes every request through to dynalite one at a time, and runs a TransactWriteItems itself while nothing
 * else runs: each action is sent as its PutItem, UpdateItem or DeleteItem with its condition, after reading the
 * item it targets; if any condition fails, the actions already applied are undone and the transaction is
 * answered as DynamoDB answers it (`TransactionCanceledException` with one reason per action, and the item for
 * `ReturnValuesOnConditionCheckFailure: ALL_OLD`). Serializing everything makes that all-or-nothing for every
 * observer. It is a fake for the embedded default, kinder than DynamoDB: the contract suite runs the same
 * transactions on moto server, whose implementation is DynamoDB's model, in CI.
 */
export async function withTransactions(
  dynalitePort: number,
  client: DynamoDBClient,
): Promise<{ port: number; close(): Promise<void> }> {
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };
  const keySchemas = new Map<string, string[]>();
  const keyOf = async (table: string, item: Record<string, AttributeValue>) => {
    let names = keySchemas.get(table);
    if (!names) {
      const described = await client.send(new DescribeTableCommand({ TableName: table }));
      names = (described.Table?.KeySchema ?? []).map((key) => key.AttributeName ?? '');
      keySchemas.set(table, names);
    }
    return Object.fromEntries(names.map((name) => [name, item[name] as AttributeValue]));
  };

  const server: Server = createServer((incoming, answer) => {
    void readBody(incoming).then((body) =>
      serialized(async () => {
        const target = String(incoming.headers['x-amz-target'] ?? '');
        if (target.endsWith('.TransactWriteItems')) {
          const { status, payload } = await transact(
            JSON.parse(body.toString('utf8')) as TransactRequest,
          ).catch((error: Error) => validation(error.message));
          answer.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
          answer.end(JSON.stringify(payload));
          return;
        }
        await new Promise<void>((resolve) => {
          const forwarded = httpRequest(
            {
              host: '127.0.0.1',
              port: dynalitePort,
              method: incoming.method,
              path: incoming.url,
              headers: incoming.headers,
            },
            (response) => {
              answer.writeHead(response.statusCode ?? 500, response.headers);
              response.pipe(answer);
              response.on('end', resolve);
            },
          );
          forwarded.on('error', () => {
            answer.writeHead(502);
            answer.end();
            resolve();
          });
          forwarded.end(body);
        });
      }),
    );
  });

  async function transact(request: TransactRequest): Promise<{ status: number; payload: unknown }> {
    const actions = request.TransactItems ?? [];
    if (actions.length === 0 || actions.length > 100) {
      return validation(`TransactItems must have between 1 and 100 items, not ${actions.length}`);
    }
    const targets = await Promise.all(actions.map((action) => targetOf(action)));
    const seen = new Set(targets.map((target) => `${target.table}\n${JSON.stringify(target.key)}`));
    if (seen.size < targets.length) {
      return validation('Transaction request cannot include multiple operations on one item');
    }
    const applied: {
      table: string;
      key: Record<string, AttributeValue>;
      old: Record<string, AttributeValue> | undefined;
    }[] = [];
    const reasons: { Code: string; Message?: string; Item?: Record<string, AttributeValue> }[] = [];
    for (const [index, action] of actions.entries()) {
      const target = targets[index] as (typeof targets)[number];
      const old = (
        await client.send(
          new GetItemCommand({ TableName: target.table, Key: target.key, ConsistentRead: true }),
        )
      ).Item;
      try {
        await apply(action);
        applied.push({ ...target, old });
        reasons.push({ Code: 'None' });
      } catch (error) {
        const name = (error as Error).name;
        if (name !== 'ConditionalCheckFailedException') {
          reasons.push({ Code: 'ValidationError', Message: (error as Error).message });
          continue;
        }
        const wantsItem = target.returnValues === 'ALL_OLD' && old !== undefined;
        reasons.push({
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          ...(wantsItem ? { Item: old } : {}),
        });
      }
    }
    if (reasons.every((reason) => reason.Code === 'None')) return { status: 200, payload: {} };
    for (const undo of applied.reverse()) {
      if (undo.old) await client.send(new PutItemCommand({ TableName: undo.table, Item: undo.old }));
      else await client.send(new DeleteItemCommand({ TableName: undo.table, Key: undo.key }));
    }
    return {
      status: 400,
      payload: {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        CancellationReasons: reasons,
      },
    };
  }

  async function targetOf(action: TransactAction) {
    const put = action.Put;
    const operation = put ?? action.Update ?? action.Delete;
    if (!operation || action.ConditionCheck) {
      throw new Error('this test shim implements Put, Update and Delete actions only');
    }
    const key = put
      ? await keyOf(put.TableName, put.Item)
      : (operation as { Key: Record<string, AttributeValue> }).Key;
    return { table: operation.TableName, key, returnValues: operation.ReturnValuesOnConditionCheckFailure };
  }

  async function apply(action: TransactAction): Promise<void> {
    const strip = <T extends { ReturnValuesOnConditionCheckFailure?: string }>(operation: T) => {
      const { ReturnValuesOnConditionCheckFailure: _, ...rest } = operation;
      return rest;
    };
    if (action.Put) await client.send(new PutItemCommand(strip(action.Put)));
    else if (action.Update) await client.send(new UpdateItemCommand(strip(action.Update)));
    else if (action.Delete) await client.send(new DeleteItemCommand(strip(action.Delete)));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function validation(message: string): { status: number; payload: unknown } {
  return { status: 400, payload: { __type: 'com.amazon.coral.validate#ValidationException', message } };
}

function readBody(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}

interface Operation {
  TableName: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
}

interface TransactAction {
  Put?: Operation & { Item: Record<string, AttributeValue> };
  Update?: Operation & { Key: Record<string, AttributeValue>; UpdateExpression: string };
  Delete?: Operation & { Key: Record<string, AttributeValue> };
  ConditionCheck?: Operation & { Key: Record<string, AttributeValue> };
}

interface TransactRequest {
  TransactItems?: TransactAction[];
  ClientRequestToken?: string;
}
