import { describe, expect, it } from 'vitest';
import { slackMessageForTerminal } from '../../../../cli/format/slack-terminal';
import { replayProvenance } from '../../../../cli/replay/run';
import { drillProvenance } from '../../../../functions/core/drill/drill-marks';
import type { ResponseOutcome } from '../../../../functions/core/incident/outcome';
import {
  LIVE,
  type Provenance,
  SAMPLE_DIAGNOSTICS_SENTENCE,
} from '../../../../functions/core/incident/provenance';
import { renderPlainText } from '../../../../functions/core/render/plain-text';
import { renderQNotification } from '../../../../functions/core/render/q-notification';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import type { SlackMessage } from '../../../../functions/core/render/slack-blocks';
import { renderSnsNotification } from '../../../../functions/core/render/sns';
import { renderStormRollup } from '../../../../functions/core/render/storm-render';
import { responseOutcome } from '../../../../functions/core/respond/notify-incident';
import { NotifyEventSchema } from '../../../../functions/core/workflow/state';
import { corpusKill, fullOutcome, INSTANCE, incidentFor } from './scenarios';

const SAMPLE: Provenance = { kind: 'sample', detail: SAMPLE_DIAGNOSTICS_SENTENCE };
const DEMO: Provenance = {
  kind: 'demo',
  detail: 'A demo: built from a bundled kernel report of another host, with this host’s diagnostics.',
};

async function outcome(provenance?: Provenance): Promise<ResponseOutcome> {
  // Real: java killed host-wide on a RHEL 6 host (the corpus).
  const kill = await corpusKill('legacy/rhel6-2.6.32-642-global-java-full-syslog.log');
  const base = fullOutcome(incidentFor(kill));
  return provenance ? { ...base, provenance } : base;
}

function headerOf(message: SlackMessage): string {
  const block = message.blocks[0];
  return block?.type === 'header' ? block.text.text : '';
}

function allText(message: SlackMessage): string {
  return message.blocks
    .flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []))
    .join('\n');
}

describe.each([
  ['a replayed sample', SAMPLE, '[SAMPLE]'],
  ['a demo', DEMO, '[DEMO]'],
  ['a drill', drillProvenance({ id: 'drill-20261204t2015-7f3a' }), '[DRILL]'],
] as const)('%s is labelled in every channel', (_name, provenance, tag) => {
  it('in the Slack header and the notification text, with the sentence first in the message', async () => {
    const message = renderSlackMessage(await outcome(provenance));
    expect(headerOf(message)).toMatch(new RegExp(`^\\S+ \\${tag.slice(0, -1)}\\] OOM kill`));
    expect(message.text.startsWith(`${tag} OOM kill`)).toBe(true);
    expect(message.text).toContain(provenance.detail.slice(0, 40));
    const notices = message.blocks[1];
    expect(notices?.type === 'section' ? notices.text?.text : '').toContain(
      `:warning: ${provenance.detail.slice(0, 40)}`,
    );
  });

  it('in the plain text and the SNS subject, message, SMS and a message attribute', async () => {
    const built = await outcome(provenance);
    const [first, second] = renderPlainText(built).split('\n');
    expect(first?.startsWith(`${tag} [CRITICAL] OOM kill`)).toBe(true);
    expect(second).toBe(`! ${provenance.detail}`);
    const sns = renderSnsNotification(built);
    expect(sns.subject.startsWith(`${tag} [OOM critical`)).toBe(true);
    expect(sns.message.startsWith(`${tag} [CRITICAL]`)).toBe(true);
    expect(sns.sms.startsWith(`${tag} OOM critical`)).toBe(true);
    expect(sns.messageAttributes.provenance).toEqual({ DataType: 'String', StringValue: provenance.kind });
  });

  it('in the Amazon Q title, summary, description and context', async () => {
    const q = renderQNotification(await outcome(provenance));
    expect(q.content.title).toMatch(new RegExp(`^\\S+ \\${tag.slice(0, -1)}\\] OOM kill`));
    expect(q.metadata.summary.startsWith(`${tag} OOM kill`)).toBe(true);
    expect(q.content.description.split('\n')[0]).toContain(provenance.detail.slice(0, 40));
    expect(q.metadata.additionalContext.provenance).toBe(provenance.kind);
  });

  it('in the terminal layout of the Slack message', async () => {
    const shown = slackMessageForTerminal(renderSlackMessage(await outcome(provenance)));
    expect(shown.split('\n')[1]).toMatch(new RegExp(`^ {2}\\S+ \\${tag.slice(0, -1)}\\] OOM kill`));
  });

  it('in a storm rollup: its headers, its text and its SNS attribute', async () => {
    const kill = await corpusKill('legacy/rhel6-2.6.32-642-global-java-full-syslog.log');
    const incidents = [1, 2, 3].map((i) =>
      incidentFor(kill, { ...INSTANCE, instanceId: `i-0000000000000000${i}` }),
    );
    const rollup = renderStormRollup(incidents, { threshold: 2, provenance });
    expect(headerOf(rollup.slack)).toContain(`${tag} OOM storm`);
    expect(rollup.slack.text.startsWith(`${tag} OOM storm`)).toBe(true);
    expect(allText(rollup.slack)).toContain(provenance.detail.slice(0, 40));
    expect(rollup.text.split('\n').slice(0, 2)).toEqual([
      expect.stringContaining(`[STORM] ${tag} OOM storm`),
      provenance.detail,
    ]);
    expect(rollup.sns.subject).toContain(tag);
    expect(rollup.sns.messageAttributes.provenance?.StringValue).toBe(provenance.kind);
  });
});

describe('a live message', () => {
  it('is rendered exactly as before: no label, no sentence, no attribute, whether or not live is said', async () => {
    const live = await outcome();
    const saidLive = await outcome(LIVE);
    for (const built of [live, saidLive]) {
      const message = renderSlackMessage(built);
      expect(`${headerOf(message)}\n${message.text}\n${allText(message)}`).not.toMatch(
        /\[SAMPLE\]|\[DEMO\]|Built from/,
      );
      expect(renderSnsNotification(built).messageAttributes).not.toHaveProperty('provenance');
      expect(renderQNotification(built).metadata.additionalContext).not.toHaveProperty('provenance');
    }
    expect(renderSlackMessage(saidLive)).toEqual(renderSlackMessage(live));
    expect(renderSnsNotification(saidLive)).toEqual(renderSnsNotification(live));
    expect(renderPlainText(saidLive)).toBe(renderPlainText(live));
  });
});

describe('the provenance through the workflow state', () => {
  const state = {
    incidentId: 'oom-20260517T170028-0123456789abcdef',
    instanceId: 'i-0a1b2c3d4e5f67890',
    killTime: '2026-05-17T17:00:28Z',
    pid: '4242',
    process: 'java',
    unit: '',
    memcgPath: '',
  };
  const config = { outputBucket: null, partition: 'aws', region: 'us-east-1' };

  it('reaches the outcome notify renders when the CLI set it', async () => {
    const { incident } = await outcome();
    const parsed = NotifyEventSchema.parse({ ...state, provenance: SAMPLE });
    expect(responseOutcome(parsed, incident, null, config).provenance).toEqual(SAMPLE);
  });

  it('adds nothing to a live state or its outcome: the deployed detector sets none', async () => {
    const { incident } = await outcome();
    const parsed = NotifyEventSchema.parse(state);
    expect(parsed).not.toHaveProperty('provenance');
    expect(responseOutcome(parsed, incident, null, config)).not.toHaveProperty('provenance');
  });

  it('is a sample for a replay without --host-exec, and live with it unless the command says otherwise', () => {
    expect(replayProvenance({ hostExec: false })).toEqual(SAMPLE);
    expect(replayProvenance({ hostExec: true })).toBeNull();
    expect(replayProvenance({ hostExec: true, provenance: DEMO })).toEqual(DEMO);
  });
});
