import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVERYTHING } from '../support/iam-configurations';
import { synthStack } from '../support/synth';

/**
 * The README's IAM footprint is what a security review reads before the first deploy: it must say exactly what the
 * template grants each identity, no more and no less. The actions of each row are read from the table; an action
 * without a service prefix takes the service named before it ("DynamoDB `GetItem`") or the prefix of the action
 * before it (`logs:CreateLogDelivery`, `GetLogDelivery`).
 */
const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const SERVICE_WORDS: Record<string, string> = { DynamoDB: 'dynamodb', 'X-Ray': 'xray' };
/** Condition keys the table names beside actions. */
const CONDITION_KEYS = new Set(['kms:ViaService']);

/** Identity-policy rows of the table, and the roles (or managed policy) whose statements they describe. */
const ROWS: Record<string, RegExp> = {
  'detect Lambda': /^OomResponderDetectRole/,
  'analyze Lambda': /^OomResponderAnalyzeRole/,
  'notify Lambda': /^OomResponderNotifyRole/,
  'state machine (the kill workflow)': /^OomResponderWorkflowStateMachineRole/,
  'managed instances (the `InstancePolicy` output)': /^InstancePolicy/,
  'pressure Lambda': /^OomResponderPressureFunctionRole/,
  'pressure state machine': /^OomResponderPressureWorkflowStateMachineRole/,
};
const LAMBDA_ROWS = ['detect Lambda', 'analyze Lambda', 'notify Lambda', 'pressure Lambda'];

function footprintTable(markdown: string): Map<string, string> {
  const section = markdown.slice(markdown.indexOf('## IAM footprint'));
  const rows = new Map<string, string>();
  for (const line of section.split('\n').slice(1)) {
    if (line.startsWith('## ')) break;
    const cells = line.split(' | ').map((cell) => cell.replace(/^\|\s*|\s*\|$/g, '').trim());
    const [principal, permissions] = cells;
    if (cells.length === 2 && principal && permissions && !principal.startsWith('---'))
      rows.set(principal, permissions);
  }
  return rows;
}

function actionsIn(text: string): Set<string> {
  const actions = new Set<string>();
  let prefix = '';
  for (const match of text.matchAll(/DynamoDB|X-Ray|`([^`]+)`/g)) {
    const word = match[0];
    const service = SERVICE_WORDS[word];
    if (service) {
      prefix = service;
      continue;
    }
    const token = match[1] ?? '';
    if (!/^([a-z0-9-]+:)?[A-Z][A-Za-z]*\*?$/.test(token) || CONDITION_KEYS.has(token)) continue;
    if (token.startsWith('aws:')) continue;
    const colon = token.indexOf(':');
    if (colon > 0) prefix = token.slice(0, colon);
    actions.add(colon > 0 ? token : `${prefix}:${token}`);
  }
  return actions;
}

function grantedActions(template: ReturnType<typeof synthStack>['template'], owner: RegExp): Set<string> {
  const actions = new Set<string>();
  const policies = {
    ...template.findResources('AWS::IAM::Policy'),
    ...template.findResources('AWS::IAM::ManagedPolicy'),
  };
  for (const [logicalId, policy] of Object.entries(policies)) {
    const properties = policy.Properties as {
      Roles?: { Ref: string }[];
      PolicyDocument: { Statement: { Effect: string; Action: string | string[] }[] };
    };
    const owners = [logicalId, ...(properties.Roles ?? []).map((role) => role.Ref)];
    if (!owners.some((id) => owner.test(id))) continue;
    for (const statement of properties.PolicyDocument.Statement) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of [statement.Action].flat()) actions.add(action);
    }
  }
  return actions;
}

describe('the README IAM footprint', () => {
  const table = footprintTable(README);
  const { template } = synthStack(EVERYTHING);

  it('reads its table', () => {
    expect([...table.keys()]).toEqual(expect.arrayContaining([...Object.keys(ROWS), 'each Lambda']));
    expect(
      actionsIn('DynamoDB `GetItem`, `Query`; `logs:CreateLogDelivery`, `GetLogDelivery` (`kms:ViaService`)'),
    ).toEqual(
      new Set(['dynamodb:GetItem', 'dynamodb:Query', 'logs:CreateLogDelivery', 'logs:GetLogDelivery']),
    );
  });

  it.each(Object.entries(ROWS))('names exactly what the template grants the %s', (row, owner) => {
    const documented = actionsIn(table.get(row) ?? '');
    if (LAMBDA_ROWS.includes(row))
      for (const action of actionsIn(table.get('each Lambda') ?? '')) documented.add(action);
    expect([...documented].sort()).toEqual([...grantedActions(template, owner)].sort());
  });
});
