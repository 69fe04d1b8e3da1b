import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderPlainText } from '../../../../functions/core/render/plain-text';
import { renderQNotification } from '../../../../functions/core/render/q-notification';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import { renderSnsNotification } from '../../../../functions/core/render/sns';
import { renderStormRollup } from '../../../../functions/core/render/storm-render';
import { outcomeArb } from './arbitraries';
import { invisibleProblems, qProblems, slackProblems, snsProblems } from './untrusted-checks';

/**
 * Every renderer, fed outcomes whose host strings (process, unit, cgroup, container and host names, command
 * lines, analysis text) are arbitrary and hostile: no output holds a raw invisible or reordering character, an
 * unescaped mention, an emoji shortcode or formatting from a host; the Slack payload stays valid Block Kit.
 */
const RUNS = 400;

describe('every rendered untrusted string is safe in its output format', () => {
  it('the Slack message: blocks and fallback text', () => {
    fc.assert(
      fc.property(outcomeArb(), (outcome) => {
        expect(slackProblems(renderSlackMessage(outcome))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('the Amazon Q Developer custom notification', () => {
    fc.assert(
      fc.property(outcomeArb(), (outcome) => {
        expect(qProblems(renderQNotification(outcome))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('the SNS notification and the plain text', () => {
    fc.assert(
      fc.property(outcomeArb(), (outcome) => {
        expect(snsProblems(renderSnsNotification(outcome))).toEqual([]);
        expect(invisibleProblems('plain text', renderPlainText(outcome))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('the storm rollup: Slack, text and SNS', () => {
    fc.assert(
      fc.property(fc.array(outcomeArb(), { minLength: 1, maxLength: 6 }), (outcomes) => {
        const rollup = renderStormRollup(
          outcomes.map((outcome) => outcome.incident),
          {
            threshold: 5,
            linkOf: () => 'https://console.aws.amazon.com/states/home#/v2/executions/details/x',
          },
        );
        expect(slackProblems(rollup.slack)).toEqual([]);
        expect(invisibleProblems('text', rollup.text)).toEqual([]);
        expect(snsProblems(rollup.sns)).toEqual([]);
      }),
      { numRuns: RUNS / 4 },
    );
  });
});
