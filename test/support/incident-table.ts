import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GSI1, GSI1_ATTRIBUTES, GSI2, GSI2_ATTRIBUTES } from '../../functions/adapters/dynamodb/items';

/** A DynamoDB-protocol server on loopback with the incident table, whichever implements it. */
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
 * Wrap a raw client for a local DynamoDB (dynalite, moto server): count the commands sent, and create tables with
 * the key schema and index the construct creates (`lib/parts/storage.ts`), from the adapter's own definition.
 */
export async function incidentTables(raw: DynamoDBClient, close: () => Promise<void>): Promise<LocalDynamo> {
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
          { AttributeName: 'gsi2pk', AttributeType: 'S' },
          { AttributeName: 'gsi2sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: GSI1,
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...GSI1_ATTRIBUTES] },
          },
          {
            IndexName: GSI2,
            KeySchema: [
              { AttributeName: 'gsi2pk', KeyType: 'HASH' },
              { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...GSI2_ATTRIBUTES] },
          },
        ],
      }),
    );
    await untilActive(raw, name);
    return name;
  };
  const tableName = await createTable('incidents');
  return {
    client,
    tableName,
    calls,
    resetCalls: () => calls.clear(),
    createTable,
    close: async () => {
      raw.destroy();
      await close();
    },
  };
}

/** The table and index key attributes of an item that are present but not a non-empty string. */
export function emptyKeyAttributes(item: Record<string, unknown>): string[] {
  return (['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'] as const).filter(
    (attribute) => attribute in item && (typeof item[attribute] !== 'string' || item[attribute] === ''),
  );
}

/**
 * DynamoDB, dynalite and moto answer CreateTable with the table CREATING, and a write to it before it is ACTIVE is
 * refused ("Requested resource not found"). dynalite flips it on a timer of its own (`createTableMs: 0` is still a
 * timer), which a busy machine runs after the test's first write: wait as a client of DynamoDB would.
 */
async function untilActive(raw: DynamoDBClient, name: string): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const { Table } = await raw.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`table ${name} not ACTIVE after 200 tries`);
}
