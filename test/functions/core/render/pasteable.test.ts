import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { slackMessageForTerminal } from '../../../../cli/format/slack-terminal';
import type { Advice } from '../../../../functions/core/analysis/model';
import type { ResponseOutcome } from '../../../../functions/core/incident/outcome';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { pasteBlock } from '../../../../functions/core/render/mrkdwn';
import { renderPlainText } from '../../../../functions/core/render/plain-text';
import { renderQNotification } from '../../../../functions/core/render/q-notification';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import type { SlackMessage } from '../../../../functions/core/render/slack-blocks';
import { stepMrkdwn } from '../../../../functions/core/render/slack-sections';
import { renderSnsNotification } from '../../../../functions/core/render/sns';
import { describeOutcome } from '../../../../functions/core/render/view';
import { KERNEL_CORPUS } from '../../../support/corpus';
import { diagnostics } from '../../../support/diagnostics';
import { loggedVictims } from '../../../support/kernel-lines';
import { analyzeIncident, findingOf, incidentFrom } from '../analysis/incidents';
import { CONTEXT } from './scenarios';

// Real: systemd-oomd killed systemd-journald.service under memory pressure (systemd's own TEST-55-OOMD).
const OOMD = 'modern/systemd-oomd-marked-for-killing-monotonic.log';

/** The unit systemd-oomd killed, read from the log's own `Killed /…/x.service due to` line. */
function killedUnit(fixture: string): string {
  const lines = readFileSync(`${KERNEL_CORPUS}${fixture}`, 'utf8').split('\n');
  const [victim] = loggedVictims(lines);
  if (!victim) throw new Error(`${fixture} names no victim`);
  return victim.name;
}

/** The outcome of a real report with diagnostics that confirm the kill, so the analysis' fix is the first step. */
function outcomeOf(fixture: string): ResponseOutcome {
  const incident = incidentFrom(fixture);
  const summary = diagnostics({
    killConfirmation: { status: 'confirmed', source: 'journal-oomd', line: 'confirmed', detail: null },
  });
  return {
    incident,
    diagnostics: { status: 'collected', summary, detail: null, commandId: null, outputS3Uri: null },
    analysis: analyzeIncident(incident, summary),
    actions: [],
    failure: null,
    context: CONTEXT,
  };
}

/** The lines inside each ``` block of a mrkdwn text, entities decoded as Slack shows (and copies) them. */
function codeBlocks(mrkdwn: string): string[] {
  return [...mrkdwn.matchAll(/```\n([\s\S]*?)\n```/g)].map((match) =>
    (match[1] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
  );
}

function sectionTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []));
}

/** The lines indented by exactly four spaces that follow one another: the code of a plain-text rendering. */
function indentedRuns(text: string): string[] {
  const runs: string[] = [];
  let run: string[] = [];
  for (const line of text.split('\n')) {
    if (/^ {4}\S/.test(line)) run.push(line.slice(4));
    else if (run.length > 0) {
      runs.push(run.join('\n'));
      run = [];
    }
  }
  if (run.length > 0) runs.push(run.join('\n'));
  return runs;
}

describe('a drop-in in every channel', () => {
  const unit = killedUnit(OOMD);
  const dropIn = ['[Service]', 'ManagedOOMPreference=avoid'].join('\n');
  const outcome = outcomeOf(OOMD);

  it('is the code of the first step: exactly the lines `systemctl edit` of the killed unit needs', () => {
    expect(unit).toBe('systemd-journald.service');
    const [first] = describeOutcome(outcome).nextSteps;
    expect(first?.code).toBe(dropIn);
    expect(first?.text).toContain(`\`sudo systemctl edit ${unit}\``);
  });

  it('is a code block of its own in the Slack message, byte for byte, and the message stays within limits', () => {
    const message = renderSlackMessage(outcome);
    expect(validateSlackMessage(JSON.parse(JSON.stringify(message)))).toEqual([]);
    expect(sectionTexts(message).flatMap(codeBlocks)).toContain(dropIn);
    // The command that opens the editor is an inline code span of the prose, not look-alike quotes.
    expect(sectionTexts(message).join('\n')).toContain(`\`sudo systemctl edit ${unit}\``);
  });

  it('is a code block in the Amazon Q next step', () => {
    const q = renderQNotification(outcome);
    expect(codeBlocks(q.content.nextSteps[0] ?? '')).toEqual([dropIn]);
  });

  it('is indented by four spaces on lines of its own in the plain text and the SNS email', () => {
    expect(indentedRuns(renderPlainText(outcome))).toContain(dropIn);
    expect(indentedRuns(renderSnsNotification(outcome).message)).toContain(dropIn);
  });

  it('is shown as code in the terminal layout of the Slack message', () => {
    expect(indentedRuns(slackMessageForTerminal(renderSlackMessage(outcome)))).toContain(dropIn);
  });

  it('stays out of the one-line notification text, which does not stop at the colon', () => {
    const next = renderSlackMessage(outcome)
      .text.split('\n')
      .find((line) => line.startsWith('Next: '));
    expect(next).toBeDefined();
    expect(next).not.toContain('[Service]');
    expect(next).not.toMatch(/[:…]\s*$/);
    expect(next).toMatch(/\(the 2 lines to paste are in the message\)$/);
  });
});

describe('recipes and commands', () => {
  it('keeps the swap recipe and the sysctl line whole in a Slack code block', () => {
    // Real: a host-wide kill of stress-ng on a host without swap.
    const analysis = analyzeIncident(incidentFrom('modern/global-oom-6.11-stress-ng-complete.log'), null);
    const swap = findingOf(analysis, 'no-swap')?.recommendation;
    const lines = swap?.code?.split('\n') ?? [];
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^sudo dd if=\/dev\/zero of=\/swapfile bs=1M count=\d+ && sudo chmod 600 \/swapfile$/,
    );
    expect(lines[3]).toBe(
      "echo 'vm.swappiness=10' | sudo tee /etc/sysctl.d/90-swappiness.conf && sudo sysctl --system",
    );
    // `&&` and `|` are sent as Slack's entities and shown (and copied) as written.
    expect(codeBlocks(stepMrkdwn(swap ?? { text: '' }, '', 2000))).toEqual([swap?.code]);
  });

  it('keeps an ECS task ARN, with its `:aws:` and `:ecs:`, as it is inside a code block', () => {
    const arn = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0f4b0c6e3c7a4b8f9d2e1a0b3c4d5e6f';
    const command = `aws ecs describe-tasks --region eu-west-1 --cluster prod --tasks ${arn}`;
    expect(codeBlocks(pasteBlock(command, 1000))).toEqual([command]);
  });
});

describe('the terminal layout', () => {
  const message = (text: string): SlackMessage => ({
    text: '',
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text, verbatim: true } }],
  });

  it('keeps `*` and `_` inside code blocks and code spans, and undoes bold and italics outside them', () => {
    const shown = slackMessageForTerminal(
      message(
        '*Next:* run `ls *.log _tmp_` then:\n```\nfind / -name *.conf -o -name _x_\necho a &amp;&amp; b &gt; c\n```\n_done_',
      ),
    );
    expect(shown).toContain('Next: run `ls *.log _tmp_` then:\n');
    expect(shown).toContain('\n    find / -name *.conf -o -name _x_\n    echo a && b > c\n');
    expect(shown).toContain('\ndone\n');
  });
});

describe('Block Kit limits with long code', () => {
  const outcome = outcomeOf(OOMD);
  const long: Advice = {
    text: `Protect ${'u'.repeat(3000)}.service with a drop-in:`,
    code: Array.from({ length: 400 }, (_, i) => `Setting${i}=${'v'.repeat(40)}`).join('\n'),
    after: 'a'.repeat(3000),
  };
  for (const finding of outcome.analysis?.findings ?? []) finding.recommendation = long;

  it('cuts the code inside its block, visibly, and closes the block', () => {
    const message = renderSlackMessage(outcome);
    expect(validateSlackMessage(JSON.parse(JSON.stringify(message)))).toEqual([]);
    for (const text of sectionTexts(message)) expect((text.split('```').length - 1) % 2).toBe(0);
    const [code] = sectionTexts(message).flatMap(codeBlocks);
    expect(code?.startsWith('Setting0=')).toBe(true);
    expect(code?.endsWith('… (truncated)')).toBe(true);
  });

  it('keeps the Amazon Q steps closed and within their limit', () => {
    const steps = renderQNotification(outcome).content.nextSteps;
    for (const step of steps) {
      expect(step.length).toBeLessThanOrEqual(1200);
      expect((step.split('```').length - 1) % 2).toBe(0);
    }
  });
});

describe('an analysis from before the advice had parts', () => {
  it('still renders its recommendation, a plain string, as the first step', () => {
    // An execution in flight across a deploy: the previous analyze function wrote `recommendation` as a string.
    const outcome = outcomeOf(OOMD);
    const cause = outcome.analysis?.likelyCause;
    if (!cause) throw new Error('the oomd kill has a likely cause');
    (cause as { recommendation: unknown }).recommendation = 'Protect it with ManagedOOMPreference=avoid.';
    const message = renderSlackMessage(outcome);
    expect(validateSlackMessage(JSON.parse(JSON.stringify(message)))).toEqual([]);
    expect(sectionTexts(message).join('\n')).toContain('*Next:* Protect it with ManagedOOMPreference=avoid.');
  });
});
