import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { GSI1, GSI2 } from '../../functions/adapters/dynamodb/items';

/** DynamoDB actions a pipeline function may be granted; each function gets exactly the ones its code sends. */
export type TableAction = 'dynamodb:GetItem' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem' | 'dynamodb:Query';

/**
 * Grant a function these actions on the incident table, and on the indexes its code queries by their names (not
 * `index/*`), rather than `grantReadWriteData`'s dozen actions.
 */
export function grantTable(
  table: ITable,
  fn: IFunction,
  actions: TableAction[],
  options: { indexes?: (typeof GSI1 | typeof GSI2)[] } = {},
): void {
  const resources = [table.tableArn];
  for (const index of options.indexes ?? []) resources.push(`${table.tableArn}/index/${index}`);
  fn.addToRolePolicy(new PolicyStatement({ sid: 'IncidentTable', actions, resources }));
}
