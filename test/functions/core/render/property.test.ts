import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { renderPlainText } from '../../../../functions/core/render/plain-text';
import { renderQNotification } from '../../../../functions/core/render/q-notification';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import { renderSnsNotification } from '../../../../functions/core/render/sns';
import { renderStormRollup } from '../../../../functions/core/render/storm-render';
import { outcomeArb } from './arbitraries';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('no input yields an invalid message', () => {
  it('renders every random outcome to a Slack payload within Block Kit limits', () => {
    fc.assert(
      fc.property(outcomeArb(), (outcome) => {
        const message = renderSlackMessage(outcome);
        expect(validateSlackMessage(JSON.parse(JSON.stringify(message)))).toEqual([]);
        expect(validateSlackMessage(message)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('renders every random outcome to an SNS notification SNS accepts', () => {
    fc.assert(
      fc.property(outcomeArb(), (outcome) => {
        const sns = renderSnsNotification(outcome);
        expect(sns.subject.length).toBeGreaterThan(0);
        expect(sns.subject.length).toBeLessThan(100);
        expect(sns.subject).toMatch(/^[\x20-\x7e]+$/);
        expect(sns.sms.length).toBeLessThanOrEqual(140);
        expect(Buffer.byteLength(sns.message, 'utf8')).toBeLessThanOrEqual(256 * 1024);
        expect(LONE_SURROGATE.test(sns.message)).toBe(false);
        for (const [name, attribute] of Object.entries(sns.messageAttributes)) {
          expect(name).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,255}$/);
          expect(attribute.DataType).toBe('String');
          expect(attribute.StringValue.trim().length).toBeGreaterThan(0);
        }
        expect(Object.keys(sns.messageAttributes)).toEqual(
          expect.arrayContaining(['severity', 'incidentId', 'instance', 'process']),
        );
        expect(renderPlainText(outcome).length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('renders every random outcome to a Q custom notification of the documented shape', () => {
    fc.assert(
      fc.property(outcomeArb(), (outcome) => {
        const q = renderQNotification(outcome);
        expect(q).toMatchObject({
          version: '1.0',
          source: 'custom',
          content: { textType: 'client-markdown' },
        });
        expect(q.metadata.threadId).toBe(outcome.incident.id);
        expect(q.content.title.length).toBeLessThanOrEqual(150);
        expect(q.content.description.length).toBeLessThanOrEqual(3500);
        expect(Object.values(q.metadata.additionalContext).every((value) => typeof value === 'string')).toBe(
          true,
        );
        expect(LONE_SURROGATE.test(JSON.stringify(q))).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('rolls up any set of random incidents into a valid message', () => {
    fc.assert(
      fc.property(fc.array(outcomeArb(), { minLength: 1, maxLength: 20 }), (outcomes) => {
        const rollup = renderStormRollup(
          outcomes.map((outcome) => outcome.incident),
          { threshold: 5 },
        );
        expect(validateSlackMessage(rollup.slack)).toEqual([]);
        expect(rollup.summary.kills).toBe(
          outcomes.reduce((sum, outcome) => sum + outcome.incident.killCount, 0),
        );
        expect(rollup.sns.subject.length).toBeLessThan(100);
      }),
      { numRuns: 60 },
    );
  });
});
