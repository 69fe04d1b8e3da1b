import { describe, expect, it } from 'vitest';
import type { ResponseOutcome } from '../../../../../functions/core/incident/outcome';
import { redact } from '../../../../../functions/core/render/redaction/redact';
import { renderSlackMessage } from '../../../../../functions/core/render/slack';
import { renderSnsNotification } from '../../../../../functions/core/render/sns';
import { corpusKill, fullOutcome, incidentFor, summary } from '../scenarios';
import { CLEAN_LINES, SECRET_LINES } from './command-lines';

/** A real kill (parsed from the kernel corpus) whose largest process at diagnosis ran `cmdline`. */
async function killRunning(cmdline: string): Promise<ResponseOutcome> {
  const kill = await corpusKill('legacy/rhel6-2.6.32-642-global-java-full-syslog.log');
  const outcome = fullOutcome(incidentFor(kill));
  const top = { pid: 4242, rssKb: 9_000_000, oomScore: 900, oomScoreAdj: 0, comm: 'worker', cmdline };
  outcome.diagnostics = { ...outcome.diagnostics, summary: summary({ topProcesses: [top] }) };
  return outcome;
}

/** The rendered Slack message and SNS notification, as the bytes that leave the account. */
function rendered(outcome: ResponseOutcome): Record<string, string> {
  return {
    slack: JSON.stringify(renderSlackMessage(outcome)),
    sns: JSON.stringify(renderSnsNotification(outcome)),
  };
}

/**
 * The whole secret, and its first 12 characters: a renderer clips long lines, so a secret that redaction missed
 * may show only its start.
 */
function traces(secret: string): string[] {
  const start = secret.slice(0, 12);
  return [
    ...new Set([secret, start, JSON.stringify(secret).slice(1, -1), JSON.stringify(start).slice(1, -1)]),
  ];
}

describe('secret-bearing command lines', () => {
  it('has a realistic table to test against', () => {
    expect(SECRET_LINES.length).toBeGreaterThanOrEqual(60);
    expect(CLEAN_LINES.length).toBeGreaterThanOrEqual(20);
    for (const row of SECRET_LINES) expect(row.line, row.provider).toContain(row.secret);
  });

  it.each(SECRET_LINES)('removes the $provider secret from the line', ({ line, secret }) => {
    const out = redact(line);
    for (const trace of traces(secret)) expect(out).not.toContain(trace);
    expect(out).toContain('[REDACTED]');
  });

  it.each(SECRET_LINES)(
    'keeps the $provider secret out of the Slack and SNS messages',
    async ({ line, secret }) => {
      const messages = rendered(await killRunning(line));
      // Long lines are clipped, some before their first mask: the program's name shows the line was rendered.
      const program = JSON.stringify(redact(line).split(' ')[0]).slice(1, -1);
      for (const [channel, text] of Object.entries(messages)) {
        expect(text, `${channel} shows the command line`).toContain(program);
        for (const trace of traces(secret))
          expect(text.includes(trace), `${channel} leaks ${trace}`).toBe(false);
      }
    },
  );

  it.each(CLEAN_LINES)('keeps a line without secrets as it was: %s', (_what, line) => {
    expect(redact(line)).toBe(line);
  });

  it('is idempotent on every row', () => {
    for (const { line } of SECRET_LINES) expect(redact(redact(line))).toBe(redact(line));
  });
});
