import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../../functions/core/policy/policy';
import { analyzePressure } from '../../../../functions/core/pressure/analyze-pressure';
import type { PressureOutcome } from '../../../../functions/core/pressure/outcome';
import { renderPressureQ } from '../../../../functions/core/render/pressure-q';
import { renderPressureSlack } from '../../../../functions/core/render/pressure-slack';
import { renderPressureSns } from '../../../../functions/core/render/pressure-sns';
import { renderPressureText } from '../../../../functions/core/render/pressure-text';
import { pressureDiagnostics, pressureEvent, pressureSample, series } from '../../../support/pressure';
import { hostString } from './arbitraries';
import { invisibleProblems, qProblems, slackProblems, snsProblems } from './untrusted-checks';

/**
 * The warning's renderers, fed hostile host strings where a host writes them (process names of the growers and
 * the rollups, the host name, a unit name in a step) and where an operator names them (the alarm): no output
 * holds a raw invisible character, an unescaped or bare mention, an emoji shortcode or formatting from a host; the
 * Slack payload stays valid Block Kit. The same checks as the kill message's (`untrusted.property.test.ts`).
 */
const RUNS = 200;

const hostileOutcome = (): fc.Arbitrary<PressureOutcome> =>
  fc
    .record({
      comms: fc.array(hostString(), { minLength: 1, maxLength: 5 }),
      hostname: hostString(),
      alarm: hostString(),
    })
    .map(({ comms, hostname, alarm }) => {
      const sample = pressureSample();
      const named = <T extends { comm: string }>(rows: T[]): T[] =>
        rows.map((row, i) => ({ ...row, comm: comms[i % comms.length] ?? row.comm }));
      const summary = pressureDiagnostics({
        hostname,
        pressure: { ...sample, smaps: named(sample.smaps), growth: named(sample.growth) },
      });
      const event = { ...pressureEvent(), alarmName: alarm || 'alarm' };
      const analysis = analyzePressure({
        event,
        diagnostics: summary,
        series: [
          series('mem_available_percent', 60, (before) => 6 + 0.4 * before),
          series('swap_used_percent', 60, () => 0),
        ],
        policy: parsePolicy({ addSwap: { enabled: true, preventive: true } }),
        recentActions: [],
        now: '2026-11-25T03:14:00.000Z',
      });
      const { diagnostics: _d, diagnosticsSendError: _s, ...warning } = event;
      return {
        warning,
        diagnostics: { status: 'collected', summary, detail: null, commandId: null, outputS3Uri: null },
        analysis,
        actions: [],
        failure: null,
        context: { partition: 'aws', region: 'us-east-1', accountId: '123456789012', executionArn: null },
      } satisfies PressureOutcome;
    });

describe('every rendered untrusted string of a pressure warning is safe in its output format', () => {
  it('Slack, Amazon Q, SNS and the plain text', () => {
    fc.assert(
      fc.property(hostileOutcome(), (outcome) => {
        expect(slackProblems(renderPressureSlack(outcome))).toEqual([]);
        expect(qProblems(renderPressureQ(outcome))).toEqual([]);
        expect(snsProblems(renderPressureSns(outcome))).toEqual([]);
        expect(invisibleProblems('plain text', renderPressureText(outcome))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});
