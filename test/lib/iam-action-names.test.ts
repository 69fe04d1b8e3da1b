import { describe, expect, it } from 'vitest';
import { CONFIGURATIONS } from '../support/iam-configurations';
import { everyStatement } from '../support/iam-policies';
import { expandAction } from '../support/iam-simulate';
import { synthStack } from '../support/synth';

describe('the action names of the synthesized policies', () => {
  it('flags a misspelt action or a wildcard that matches nothing', async () => {
    expect(await expandAction('sns:Pubish')).toEqual([]);
    expect(await expandAction('kms:GenerateDataKeys*')).toEqual([]);
    expect(await expandAction('sms:Publish')).toEqual([]);
    expect(await expandAction('kms:GenerateDataKey*')).toContain('kms:GenerateDataKeyWithoutPlaintext');
  });

  it.each(CONFIGURATIONS)(
    'all exist in iam-data (%s)',
    async (_, props) => {
      const statements = everyStatement(synthStack(props).template.toJSON());
      expect(statements.length).toBeGreaterThan(20);
      const unknown: string[] = [];
      for (const { where, actions } of statements) {
        for (const action of actions) {
          if ((await expandAction(action)).length === 0) unknown.push(`${action} (${where})`);
        }
      }
      expect(unknown).toEqual([]);
    },
    60_000,
  );
});
