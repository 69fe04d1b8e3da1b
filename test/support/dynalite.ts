import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { incidentTables, type LocalDynamo } from './incident-table';

export type { LocalDynamo } from './incident-table';

/**
 * A real DynamoDB-protocol server on loopback (dynalite), so the adapter's conditional writes, transactions and
 * queries meet DynamoDB's validation rather than a mock's assumptions. Kinder than DynamoDB in one way that
 * matters: it accepts an empty string as a key value in a Query's key condition and as a GSI key of an item
 * (DynamoDB, and moto server, refuse both); the contract suite runs on moto server too for that reason.
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
  return incidentTables(raw, () => new Promise<void>((resolve) => server.close(() => resolve())));
}
