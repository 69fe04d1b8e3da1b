import { describe, expect, it } from 'vitest';
import { renderPlainText } from '../../../../functions/core/render/plain-text';
import { renderQNotification } from '../../../../functions/core/render/q-notification';
import { renderSnsNotification, snsSubject } from '../../../../functions/core/render/sns';
import {
  bareOutcome,
  CONTEXT,
  corpusKill,
  fullOutcome,
  incidentFor,
  UNRESOLVED,
  withHistory,
} from './scenarios';

const JAVA = 'legacy/rhel6-2.6.32-642-global-java-full-syslog.log';

describe('renderSnsNotification', () => {
  it('has a short ASCII subject, the plain-text body, and String attributes for filter policies', async () => {
    const sns = renderSnsNotification(fullOutcome(withHistory(incidentFor(await corpusKill(JAVA)))));
    expect(sns.subject).toBe('[OOM critical] java (pid 31995) killed on web-1 (i-0a1b2c3d4e5f60789)');
    expect(sns.message).toMatch(
      /^\[CRITICAL\] OOM kill: java \(pid 31995\) on web-1 \(i-0a1b2c3d4e5f60789\)\n\nWhat happened \(stated by the kernel report\):\nScope: the whole host ran out of memory/,
    );
    expect(sns.message).toContain('\nNext: Lower -Xmx to 4g in orders.service');
    expect(sns.message).toContain('  Execution: https://us-east-1.console.aws.amazon.com/states/home');
    expect(sns.messageAttributes).toEqual({
      eventType: { DataType: 'String', StringValue: 'oom-kill' },
      severity: { DataType: 'String', StringValue: 'critical' },
      incidentId: {
        DataType: 'String',
        StringValue: expect.stringMatching(/^oom-20260517T170028-[0-9a-f]{16}$/),
      },
      instance: { DataType: 'String', StringValue: 'i-0a1b2c3d4e5f60789' },
      process: { DataType: 'String', StringValue: 'java' },
    });
    expect(sns.sms.length).toBeLessThanOrEqual(140);
    expect(sns.sms).toMatch(/^OOM critical: java \(pid 31995\) on web-1/);
  });

  it('names an unresolved host by its hostname in the instance attribute', async () => {
    const sns = renderSnsNotification(
      bareOutcome(incidentFor(await corpusKill('modern/host-v1-memcg-sd-pam.log'), UNRESOLVED)),
    );
    expect(sns.messageAttributes.instance?.StringValue).toBe('build-runner-7');
    expect(sns.message).toContain(
      '! Instance not resolved (seen as build-runner-7): nothing was sent to the host',
    );
  });

  it.each([
    ['x'.repeat(300), `${'x'.repeat(96)}...`],
    ['java\nkilled\ton host', 'java killed on host'],
    ['émoji 😀 and ümlaut', '?moji ? and ?mlaut'],
    ['\u0000\u001b', '<U+0000><U+001B>'],
  ])('keeps the subject one ASCII line under 100 characters: %j', (text, subject) => {
    expect(snsSubject(text)).toBe(subject);
  });
});

describe('renderPlainText', () => {
  it('puts what happened, then why and the next step, right under the title, and writes links out', async () => {
    const text = renderPlainText(fullOutcome(incidentFor(await corpusKill(JAVA))));
    const lines = text.split('\n');
    expect(lines[0]).toBe('[CRITICAL] OOM kill: java (pid 31995) on web-1 (i-0a1b2c3d4e5f60789)');
    expect(lines.slice(2, 6)).toEqual([
      'What happened (stated by the kernel report):',
      'Scope: the whole host ran out of memory: RAM 8.0 GiB, free 101 MiB, no swap',
      'Killed: java (pid 31995): RSS 3.4 GiB (anon 3.4 GiB, file 104 KiB, shmem 0 KiB), a process of the host itself',
      'Triggered by: java (pid 3794)',
    ]);
    // The report's Mem-Info breakdown closes What happened (its figures are checked in filled-by.test.ts).
    expect(lines[6]).toMatch(/^Memory at the kill: Filled by anonymous memory: /);
    expect(lines[8]).toMatch(
      /^Why \(likely cause\): java's maximum heap .* \(confidence 71%, from 1 kernel fact, 2 measurements\)$/,
    );
    expect(lines[9]).toMatch(/^Next: Lower -Xmx/);
    expect(text).toContain('  [done] Add swap: Added a 2 GiB swap file at /swapfile.oom-responder');
    expect(text).toContain(
      '  Logs around the kill: https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:',
    );
  });
});

describe('renderQNotification', () => {
  it('follows the custom notification schema, threaded by incident id', async () => {
    const outcome = fullOutcome(incidentFor(await corpusKill(JAVA)));
    const q = renderQNotification(outcome);
    expect(q).toMatchObject({
      version: '1.0',
      source: 'custom',
      id: outcome.incident.id,
      content: {
        textType: 'client-markdown',
        title: '🚨 OOM kill: java (pid 31995) on web-1 (i-0a1b2c3d4e5f60789)',
        nextSteps: [
          'Lower -Xmx to 4g in orders.service (or move to an instance with 16 GiB), then restart it.',
        ],
        keywords: ['oom-kill', 'critical', 'java', 'i-0a1b2c3d4e5f60789', 'host-wide', 'confirmed'],
      },
      metadata: {
        threadId: outcome.incident.id,
        eventType: 'OomKill',
        relatedResources: ['i-0a1b2c3d4e5f60789', CONTEXT.executionArn],
        additionalContext: { severity: 'critical', kills: '1', diagnostics: 'collected', confirmed: 'true' },
      },
    });
    expect(q.content.description).toContain('*What happened* (stated by the kernel report)');
    expect(q.content.description).toContain("*Why (likely cause):* java's maximum heap");
    expect(q.content.description).toContain('|Execution>');
  });
});
