import { describe, expect, it } from 'vitest';
import type { ResponseOutcome } from '../../../../functions/core/incident/outcome';
import { jsurlEncode } from '../../../../functions/core/render/jsurl';
import { renderPlainText } from '../../../../functions/core/render/plain-text';
import { renderQNotification } from '../../../../functions/core/render/q-notification';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import { renderSnsNotification } from '../../../../functions/core/render/sns';
import { renderStormRollup } from '../../../../functions/core/render/storm-render';
import { SECRET_TABLE } from './redaction/secret-table';
import {
  corpusKill,
  fullOutcome,
  INSTANCE,
  incidentFor,
  PLANTED_SECRETS,
  summary,
  swapAction,
  withJoinedKills,
} from './scenarios';

/** A secret as it might appear once encoded into a URL, a console fragment, or JSON. */
function shapes(secret: string): string[] {
  return [secret, encodeURIComponent(secret), jsurlEncode(secret), JSON.stringify(secret).slice(1, -1)];
}

const SECRETS = [...PLANTED_SECRETS, ...SECRET_TABLE.map(([, , secret]) => secret)];
const HOST_STRINGS = SECRET_TABLE.map(([, input]) => input);

/** Every string field a host (or SSM, or the workflow) can fill, filled with secrets. */
async function outcomeFullOfSecrets(): Promise<ResponseOutcome> {
  const real = await corpusKill('legacy/rhel6-2.6.32-642-global-java-full-syslog.log');
  const pick = (i: number): string => HOST_STRINGS[i % HOST_STRINGS.length] ?? '';
  const kill = {
    ...real,
    process: pick(0),
    hostname: pick(1),
    systemdUnit: pick(2),
    taskMemcg: pick(3),
    oomMemcg: pick(4),
    triggeredBy: pick(5),
    reason: pick(6),
    tasks: real.tasks.map((task, i) => ({ ...task, name: pick(i) })),
  };
  const instance = { ...INSTANCE, name: pick(7), hostname: pick(8) };
  const incident = withJoinedKills(
    incidentFor(kill, instance, pick(9)),
    HOST_STRINGS.map((text) => ({ ...kill, process: text, systemdUnit: text })),
  );
  const outcome = fullOutcome(
    { ...incident, history: [{ incidentId: pick(10), time: '2026-05-17T03:12:08Z', pid: 1, rssKb: 1 }] },
    { ...swapAction('failed'), summary: pick(11), verification: pick(12) },
  );
  outcome.diagnostics = {
    ...outcome.diagnostics,
    detail: pick(13),
    summary: summary({
      hostname: pick(14),
      topProcesses: HOST_STRINGS.map((cmdline, i) => ({
        pid: i + 1,
        rssKb: 1000 - i,
        oomScore: 0,
        oomScoreAdj: 0,
        comm: pick(i + 3),
        cmdline,
      })),
      unit: {
        name: pick(15),
        activeState: pick(16),
        subState: pick(17),
        result: pick(18),
        nRestarts: 1,
        memoryMaxBytes: null,
        memoryCurrentBytes: null,
        oomPolicy: null,
      },
      cgroup: { version: 2, path: pick(19), limitBytes: 1, usageBytes: 1, oomKills: 1, swap: null },
    }),
  };
  for (const finding of outcome.analysis?.findings ?? []) {
    finding.title = pick(20);
    finding.evidence = HOST_STRINGS.map((text) => ({ kind: 'kernel' as const, text }));
    finding.recommendation = { text: pick(21), code: pick(21), after: pick(21) };
  }
  outcome.failure = { stage: pick(22), error: pick(23) };
  return outcome;
}

describe('no secret from the input reaches any rendering', () => {
  it('checks every shape of every secret in Slack JSON, text, SNS, attributes, Q format and the storm rollup', async () => {
    const outcome = await outcomeFullOfSecrets();
    const rollup = renderStormRollup([outcome.incident, outcome.incident], { threshold: 1 });
    const renderings: Record<string, string> = {
      slack: JSON.stringify(renderSlackMessage(outcome)),
      text: renderPlainText(outcome),
      sns: JSON.stringify(renderSnsNotification(outcome)),
      q: JSON.stringify(renderQNotification(outcome)),
      stormSlack: JSON.stringify(rollup.slack),
      stormText: rollup.text,
      stormSns: JSON.stringify(rollup.sns),
    };
    for (const [name, rendered] of Object.entries(renderings)) {
      expect(rendered, name).toContain('[REDACTED]');
      for (const secret of SECRETS) {
        for (const shape of shapes(secret))
          expect(rendered.includes(shape), `${name} leaks ${shape}`).toBe(false);
      }
    }
  });

  it('does not change the outcome it was given', async () => {
    const outcome = await outcomeFullOfSecrets();
    const before = JSON.stringify(outcome);
    renderSlackMessage(outcome);
    renderSnsNotification(outcome);
    expect(JSON.stringify(outcome)).toBe(before);
  });
});
