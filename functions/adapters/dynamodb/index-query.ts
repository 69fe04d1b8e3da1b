import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keyPart } from '../key-values';
import type { IncidentTableProps } from './incident-table';
import { GSI1 } from './items';

/**
 * Every item of one GSI1 partition, oldest first (bounded): all of it, or from the sort key `since` on. "All of
 * it" sends the partition condition alone: DynamoDB refuses `gsi1sk >= ''` (an empty string as a key value,
 * `ValidationException`), which would fail every storm-window query in AWS while dynalite answered it.
 */
export async function queryIndex(
  props: IncidentTableProps,
  partition: { gsi1pk: string },
  since?: string,
): Promise<Record<string, unknown>[]> {
  const bounded = since !== undefined;
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await props.client.send(
      new QueryCommand({
        TableName: props.tableName,
        IndexName: GSI1,
        KeyConditionExpression: bounded ? 'gsi1pk = :pk AND gsi1sk >= :since' : 'gsi1pk = :pk',
        ExpressionAttributeValues: {
          ':pk': keyPart('gsi1pk', partition.gsi1pk),
          ...(bounded ? { ':since': keyPart('gsi1sk', since) } : {}),
        },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start && items.length < 10_000);
  return items;
}
