import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { incidentTables, type LocalDynamo } from './incident-table';
import { type MotoServer, startMoto } from './moto-server';

/**
 * The incident table on moto server's DynamoDB: stricter than dynalite where it matters here, since it refuses an
 * empty string as a key value in a key condition and in an item's table or index keys, as DynamoDB does (the
 * DynamoDB API Reference, PutItem `Item`: String and Binary values "must have a length greater than zero if the
 * attribute is used as a key attribute for a table or index"; AWS What's New, 2020-05-18, on empty non-key
 * values). moto answers `ValidationException: One or more parameter values are not valid. The AttributeValue for
 * a key attribute cannot contain an empty string value. Key: gsi1sk` to `gsi1sk >= :since` with `''`.
 * Owns its server: `close` stops it.
 */
export async function startMotoDynamo(): Promise<LocalDynamo & { server: MotoServer }> {
  const server = await startMoto();
  const tables = await incidentTables(new DynamoDBClient(server.clientConfig), () => server.stop());
  return { ...tables, server };
}
