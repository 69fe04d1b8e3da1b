import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { IncidentTableProps } from './incident-table';
import { GSI1 } from './items';

/** Every item of one GSI1 partition with a sort key at or after `since`, oldest first (bounded). */
export async function queryIndex(
  props: IncidentTableProps,
  partition: { gsi1pk: string },
  since: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await props.client.send(
      new QueryCommand({
        TableName: props.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
        ExpressionAttributeValues: { ':pk': partition.gsi1pk, ':since': since },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start && items.length < 10_000);
  return items;
}
