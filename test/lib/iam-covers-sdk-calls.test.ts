import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthStack } from '../support/synth';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** IAM service prefixes of the SDK packages the functions use. */
const SERVICE: Record<string, string> = {
  'client-dynamodb': 'dynamodb',
  'lib-dynamodb': 'dynamodb',
  'client-cloudwatch': 'cloudwatch',
  'client-cloudwatch-logs': 'logs',
  'client-ec2': 'ec2',
  'client-sfn': 'states',
  'client-sns': 'sns',
  'client-secrets-manager': 'secretsmanager',
  'client-ssm': 'ssm',
  'client-s3': 's3',
};
/**
 * The document client's commands are named after what they do, not after the API action. TransactWriteItems has
 * no IAM action of its own: each action in it is authorized as its PutItem, UpdateItem, DeleteItem or
 * ConditionCheckItem (DynamoDB Developer Guide, "Using IAM with DynamoDB transactions"), so a bundle that sends it
 * needs the actions of the kinds its code writes (`Put: {`, `Update: {`, ...; `TRANSACT_ACTIONS`).
 */
const DOCUMENT_CLIENT: Record<string, string[]> = {
  PutCommand: ['PutItem'],
  GetCommand: ['GetItem'],
  UpdateCommand: ['UpdateItem'],
  DeleteCommand: ['DeleteItem'],
  QueryCommand: ['Query'],
  ScanCommand: ['Scan'],
  TransactWriteCommand: [],
};
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

/** Every `XxxCommand` a function's code imports from the AWS SDK, as IAM actions: found by bundling its entry. */
async function sdkActionsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [`${ROOT}functions/${entry}`],
    bundle: true,
    platform: 'node',
    write: false,
    metafile: true,
    logLevel: 'silent',
    packages: 'external',
  });
  const actions = new Set<string>();
  const sources = Object.keys(result.metafile.inputs)
    .filter((file) => file.startsWith('functions/'))
    .map((file) => readFileSync(`${ROOT}${file}`, 'utf8'));
  const transacts = sources.some((source) => /\bTransactWriteCommand\b/.test(source));
  for (const source of transacts ? sources : []) {
    for (const match of source.matchAll(/\b(Put|Update|Delete|ConditionCheck): \{/g))
      actions.add(`dynamodb:${TRANSACT_ACTIONS[match[1] ?? '']}`);
  }
  for (const source of sources) {
    for (const match of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/([\w-]+)'/g)) {
      const service = SERVICE[match[2] ?? ''];
      if (!service || match[0].startsWith('import type')) continue;
      for (const name of (match[1] ?? '').split(',').map((n) => n.trim())) {
        if (!name.endsWith('Command') || name.startsWith('type ')) continue;
        const named =
          match[2] === 'lib-dynamodb' ? DOCUMENT_CLIENT[name] : [name.slice(0, -'Command'.length)];
        if (!named) throw new Error(`no IAM action known for ${name}: add it to DOCUMENT_CLIENT`);
        for (const action of named) actions.add(`${service}:${action}`);
      }
    }
  }
  return [...actions].sort();
}

type Statement = { Action: string | string[]; Effect: string };

function grantedTo(template: Template, functionName: string): string[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(`OomResponder${functionName}Role`))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[])
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
}

function allows(granted: string[], action: string): boolean {
  return granted.some((grant) => {
    const pattern = new RegExp(`^${grant.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
    return pattern.test(action);
  });
}

let template: Template;
beforeAll(() => {
  template = synthStack({ responder: { slackWebhookSecret: 'oom-responder/slack-webhook' } }).template;
}, 60_000);

describe.each([
  ['Detect', 'detect/index.ts'],
  ['Analyze', 'analyze/index.ts'],
  ['Notify', 'notify/index.ts'],
  ['PressureFunction', 'pressure/index.ts'],
])("the %s function's role", (name, entry) => {
  it('is granted every AWS SDK command the function code sends', async () => {
    const actions = await sdkActionsOf(entry);
    expect(actions.length).toBeGreaterThan(0);
    const granted = grantedTo(template, name);
    expect(actions.filter((action) => !allows(granted, action))).toEqual([]);
  });
});

it('finds the commands each function sends (the test above checks something)', async () => {
  expect(await sdkActionsOf('detect/index.ts')).toEqual(
    expect.arrayContaining([
      'dynamodb:PutItem',
      'ec2:DescribeInstances',
      'logs:GetLogEvents',
      'states:StartExecution',
    ]),
  );
  expect(await sdkActionsOf('analyze/index.ts')).toEqual(
    expect.arrayContaining(['cloudwatch:GetMetricData', 'dynamodb:Query']),
  );
  expect(await sdkActionsOf('notify/index.ts')).toEqual(
    expect.arrayContaining(['secretsmanager:GetSecretValue', 'sns:Publish']),
  );
  // The kill recorder's transactions put and update; the pressure store's only put.
  expect(await sdkActionsOf('detect/index.ts')).toEqual(
    expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem']),
  );
  expect(await sdkActionsOf('pressure/index.ts')).toEqual(['dynamodb:PutItem', 'states:StartExecution']);
});
