import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { GSI1, GSI1_ATTRIBUTES } from '../../functions/adapters/dynamodb/items';

export interface LocalDynamo {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Commands sent through `client`, by name, since the last `resetCalls`. */
  calls: Map<string, number>;
  resetCalls(): void;
  createTable(name?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real DynamoDB-protocol server on loopback (dynalite), so the adapter's conditional writes, transactions and
 * queries meet DynamoDB's validation rather than a mock's assumptions.
 */
export async function startLocalDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const calls = new Map<string, number>();
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown');
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  const client = DynamoDBDocumentClient.from(raw);
  let tables = 0;
  const createTable = async (name = `incidents-${++tables}`): Promise<string> => {
    await raw.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        // The same index the construct creates (lib/), from the adapter's own definition.
        GlobalSecondaryIndexes: [
          {
            IndexName: GSI1,
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...GSI1_ATTRIBUTES] },
          },
        ],
      }),
    );
    return name;
  };
  const tableName = await createTable('incidents');
  return {
    client,
    tableName,
    calls,
    resetCalls: () => calls.clear(),
    createTable,
    close: () =>
      new Promise<void>((resolve) => {
        raw.destroy();
        server.close(() => resolve());
      }),
  };
}
