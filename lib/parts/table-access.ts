import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { GSI1 } from '../../functions/adapters/dynamodb/items';

/** DynamoDB actions a pipeline function may be granted; each function gets exactly the ones its code sends. */
export type TableAction = 'dynamodb:GetItem' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem' | 'dynamodb:Query';

/**
 * Grant a function these actions on the incident table, and `Query` on GSI1 by its name (not `index/*`), rather
 * than `grantReadWriteData`'s dozen actions.
 */
export function grantTable(
  table: ITable,
  fn: IFunction,
  actions: TableAction[],
  options: { index?: boolean } = {},
): void {
  const resources = [table.tableArn];
  if (options.index) resources.push(`${table.tableArn}/index/${GSI1}`);
  fn.addToRolePolicy(new PolicyStatement({ sid: 'IncidentTable', actions, resources }));
}
