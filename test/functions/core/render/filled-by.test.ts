import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { previewOutcome } from '../../../../cli/format/preview-outcome';
import type { MemoryKind } from '../../../../functions/core/analysis/memory-composition';
import { formatKiB } from '../../../../functions/core/format/bytes';
import { groupKills } from '../../../../functions/core/incident/group-kills';
import type { ResponseOutcome } from '../../../../functions/core/incident/outcome';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { renderPlainText } from '../../../../functions/core/render/plain-text';
import { renderQNotification } from '../../../../functions/core/render/q-notification';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import { renderSnsNotification } from '../../../../functions/core/render/sns';
import { analysedPreview } from '../../../support/analysed-preview';
import { corpusSamples, parseFile } from '../../../support/corpus';
import { expectedDominant, expectedOf, killsWithReports } from '../../../support/memory-lines';

// "Which memory filled it", in the message of every real report, against the figures the test reads from the
// report's own stats block or Mem-Info lines (test/support/memory-lines.ts), not from what the renderer printed.

const NOW = '2026-11-26T00:00:00.000Z';
const NAMES: Record<MemoryKind, string> = {
  anon: 'anonymous memory',
  'page-cache': 'page cache',
  shmem: 'shmem/tmpfs',
  sock: 'socket buffers',
  kernel: 'kernel memory',
};

/** One message per incident of the log, analysed as the pipeline does without diagnostics. */
function outcomesOf(kills: Awaited<ReturnType<typeof parseFile>>): ResponseOutcome[] {
  const groups = groupKills(kills, { hostKeyOf: (kill) => kill.hostname ?? kill.logStream ?? 'input' });
  return groups.map((group) => analysedPreview(group, NOW));
}

describe('the message says which memory filled it', () => {
  it('in plain text, Slack, SNS and Amazon Q, with the figures of the report it came from', async () => {
    let shown = 0;
    for (const sample of corpusSamples()) {
      const text = readFileSync(sample.logPath, 'utf8');
      const kills = await parseFile(sample.logPath);
      const reports = killsWithReports(text, kills);
      for (const outcome of outcomesOf(kills)) {
        const where = `${sample.theme}/${sample.name}`;
        const first = outcome.incident.firstKill;
        const report = reports.find((pair) => pair.kill.pid === first.pid && pair.kill.time === first.time);
        const expected = report ? expectedOf(report.report) : null;
        const plain = renderPlainText(outcome);
        const slack = renderSlackMessage(outcome);
        expect(validateSlackMessage(slack), where).toEqual([]);
        if (expected === null || expected.parts.size === 0) {
          expect(plain, where).not.toContain('Memory at the kill:');
          continue;
        }
        shown++;
        const dominant = expectedDominant(expected);
        const total = formatKiB(expected.totalKb);
        const line = dominant
          ? `Memory at the kill: Filled by ${NAMES[dominant]}: ${formatKiB(expected.parts.get(dominant) ?? 0)} of ${total} `
          : 'Memory at the kill: No single kind of memory filled it: ';
        expect(plain, where).toContain(line);
        const filled = /^Memory at the kill: (.*)$/m.exec(plain)?.[1] ?? '';
        if (!dominant) expect(filled, where).toContain(` of ${total} `.trimEnd());
        // Slack shows the same line in What happened, SNS's email body is the plain text.
        const blocks = JSON.stringify(slack.blocks);
        expect(blocks, where).toContain(`*Memory at the kill:* ${filled.replaceAll('&', '&amp;')}`);
        expect(renderSnsNotification(outcome).message, where).toContain(`Memory at the kill: ${filled}`);
        expect(renderQNotification(outcome).content.description, where).toContain('*Memory at the kill:* ');
      }
    }
    expect(shown).toBeGreaterThanOrEqual(40);
  });

  it("gives the issue's pod one line: 175 MiB of socket buffers in 203 MiB charged", async () => {
    const path = new URL(
      '../../../fixtures/kernel/modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log',
      import.meta.url,
    );
    const text = readFileSync(path, 'utf8');
    const sockKb = Number(/\bsock (\d+)/.exec(text)?.[1]) / 1024;
    const usageKb = Number(/memory: usage (\d+)kB/.exec(text)?.[1]);
    const [outcome] = outcomesOf(await parseFile(path.pathname));
    if (!outcome) throw new Error('no incident');
    const plain = renderPlainText(outcome);
    const line = `Memory at the kill: Filled by socket buffers: ${formatKiB(sockKb)} of ${formatKiB(usageKb)} charged (${Math.round((sockKb / usageKb) * 100)}%)`;
    expect(plain).toContain(line);
    expect(plain).toMatch(/^Why \(likely cause\): Socket buffers took 175 MiB of 203 MiB charged \(86%\)/m);
    expect(plain).not.toMatch(/^Next: .*resources\.limits\.memory/m);
    // In What happened: the report's own breakdown, as certain as the scope above it.
    const happened = renderSlackMessage(outcome).blocks.find(
      (block) => block.type === 'section' && JSON.stringify(block).includes('*What happened*'),
    );
    expect(JSON.stringify(happened)).toContain(
      '*Memory at the kill:* Filled by socket buffers: 175 MiB of 203 MiB',
    );
  });

  it('without an analysis (a preview), the next step for a cgroup filled by socket buffers is not a larger limit', async () => {
    const path = new URL(
      '../../../fixtures/kernel/modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log',
      import.meta.url,
    );
    const groups = groupKills(await parseFile(path.pathname), { hostKeyOf: () => 'input' });
    const [group] = groups;
    if (!group) throw new Error('no incident');
    const plain = renderPlainText(previewOutcome(group, { partition: 'aws', region: '', now: NOW }));
    expect(plain).toContain(
      "Socket buffers filled the limit of the container, not xray's own memory: raising the limit only delays the next kill.",
    );
    expect(plain).not.toMatch(/raise the limit of/);
  });
});
