import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keyPart } from '../key-values';
import type { IncidentTableProps } from './incident-table';
import { GSI1, GSI2 } from './items';

/** A partition of one of the table's indexes: GSI1's (`gsi1pk`) or GSI2's (`gsi2pk`). */
export type IndexPartition = { gsi1pk: string } | { gsi2pk: string };

/**
 * Every item of one index partition, oldest first (bounded): all of it, or from the sort key `since` on. "All of
 * it" sends the partition condition alone: DynamoDB refuses `gsi1sk >= ''` (an empty string as a key value,
 * `ValidationException`), which would fail every storm-window query in AWS while dynalite answered it.
 */
export async function queryIndex(
  props: IncidentTableProps,
  partition: IndexPartition,
  since?: string,
): Promise<Record<string, unknown>[]> {
  const [index, pk, sk, value] =
    'gsi1pk' in partition
      ? ([GSI1, 'gsi1pk', 'gsi1sk', partition.gsi1pk] as const)
      : ([GSI2, 'gsi2pk', 'gsi2sk', partition.gsi2pk] as const);
  const bounded = since !== undefined;
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await props.client.send(
      new QueryCommand({
        TableName: props.tableName,
        IndexName: index,
        KeyConditionExpression: bounded ? `${pk} = :pk AND ${sk} >= :since` : `${pk} = :pk`,
        ExpressionAttributeValues: {
          ':pk': keyPart(pk, value),
          ...(bounded ? { ':since': keyPart(sk, since) } : {}),
        },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start && items.length < 10_000);
  return items;
}
