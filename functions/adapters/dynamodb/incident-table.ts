import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  type PutCommand,
  type UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Incident } from '../../core/incident/model';
import { incidentFromItem, keys } from './items';

/** The table and its client: what every part of the DynamoDB incident store is built on. */
export interface IncidentTableProps {
  client: DynamoDBDocumentClient;
  tableName: string;
}

export async function readIncident(props: IncidentTableProps, incidentId: string): Promise<Incident | null> {
  const result = await props.client.send(
    new GetCommand({ TableName: props.tableName, Key: keys.incident(incidentId), ConsistentRead: true }),
  );
  return result.Item ? incidentFromItem(result.Item) : null;
}

/** Send a conditional write: true when written, false when its condition did not hold. */
export async function conditional(
  client: DynamoDBDocumentClient,
  command: PutCommand | UpdateCommand,
): Promise<boolean> {
  try {
    // One command type at a time for the compiler: both are sent the same way.
    await client.send(command as PutCommand);
    return true;
  } catch (error) {
    if (
      error instanceof ConditionalCheckFailedException ||
      (error as Error).name === 'ConditionalCheckFailedException'
    ) {
      return false;
    }
    throw error;
  }
}
