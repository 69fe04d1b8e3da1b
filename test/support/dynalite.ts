import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { withTransactions } from './dynalite-transactions';
import { incidentTables, type LocalDynamo } from './incident-table';

export type { LocalDynamo } from './incident-table';

/**
 * A real DynamoDB-protocol server on loopback (dynalite), so the adapter's conditional writes and queries meet
 * DynamoDB's validation rather than a mock's assumptions; TransactWriteItems, which dynalite lacks, is added by
 * a proxy in front of it (`dynalite-transactions.ts`). Kinder than DynamoDB in ways that matter: it accepts an
 * empty string as a key value in a Query's key condition and as a GSI key of an item (DynamoDB, and moto server,
 * refuse both), and its transactions are a fake; the contract suite runs on moto server too for that reason.
 */
export async function startLocalDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const direct = localClient(port);
  const proxy = await withTransactions(port, direct);
  return incidentTables(localClient(proxy.port), async () => {
    direct.destroy();
    await proxy.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}

function localClient(port: number): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}
