import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { previewOutcome } from '../../../../cli/format/preview-outcome';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { formatKiB } from '../../../../functions/core/format/bytes';
import { groupKills } from '../../../../functions/core/incident/group-kills';
import type { ResponseOutcome } from '../../../../functions/core/incident/outcome';
import { OomdCandidates } from '../../../../functions/core/kernel-log/oomd-candidates';
import { validateSlackMessage } from '../../../../functions/core/render/block-kit-limits';
import { renderPlainText } from '../../../../functions/core/render/plain-text';
import { renderQNotification } from '../../../../functions/core/render/q-notification';
import { renderSlackMessage } from '../../../../functions/core/render/slack';
import { describeOutcome } from '../../../../functions/core/render/view';
import { analysedPreview } from '../../../support/analysed-preview';
import { KERNEL_CORPUS, parseFile } from '../../../support/corpus';
import { printedOomdUsageKb } from '../../../support/kernel-lines';

const NOW = '2031-07-04T04:04:04.000Z';
/** Real: systemd's TEST-55-OOMD, systemd 252+ wording, the candidate block cut to Path and Current Memory Usage. */
const JOURNALD = 'modern/systemd-oomd-marked-for-killing-monotonic.log';
/** Real: an older systemd-oomd kill of a terminal's scope, with no candidate block. */
const SCOPE = 'modern/systemd-oomd-pressure-vte-spawn-scope.log';

async function outcomeOf(fixture: string, analysed: boolean): Promise<ResponseOutcome> {
  const kills = await parseFile(`${KERNEL_CORPUS}${fixture}`);
  const [group] = groupKills(kills, { hostKeyOf: () => 'host' });
  if (!group) throw new Error(`${fixture} holds no kill`);
  return analysed
    ? analysedPreview(group, NOW)
    : previewOutcome(group, { partition: 'aws', region: '', now: NOW });
}

describe('a systemd-oomd kill', () => {
  it("reads systemd-oomd's own memory figure for the cgroup it killed", async () => {
    const lines = readFileSync(`${KERNEL_CORPUS}${JOURNALD}`, 'utf8').split('\n');
    // `Current Memory Usage: 55.5M` under `Path: /system.slice/systemd-journald.service`.
    const usageKb = printedOomdUsageKb(lines, '/system.slice/systemd-journald.service');
    expect(usageKb).toBe(55.5 * 1024);
    const [kill] = await parseFile(`${KERNEL_CORPUS}${JOURNALD}`);
    expect(kill?.oomdCandidate).toMatchObject({
      path: '/system.slice/systemd-journald.service',
      considered: 19,
      memoryUsageKb: usageKb,
    });
    for (const analysed of [false, true]) {
      const text = renderPlainText(await outcomeOf(JOURNALD, analysed));
      expect(text).toContain(
        `Killed: systemd-journald.service, every process in it: Current Memory Usage ${formatKiB(usageKb ?? 0)}`,
      );
      expect(text).not.toMatch(/not printed|printed no memory figures/);
    }
  });

  it('says so when systemd-oomd printed no figures, never inventing one', async () => {
    const [kill] = await parseFile(`${KERNEL_CORPUS}${SCOPE}`);
    expect(kill?.oomdCandidate).toBeNull();
    expect(renderPlainText(await outcomeOf(SCOPE, true))).toContain('systemd-oomd printed no memory figures');
  });

  it('is critical when it killed a critical unit, and the message never calls it a warning', async () => {
    for (const analysed of [false, true]) {
      const outcome = await outcomeOf(JOURNALD, analysed);
      const view = describeOutcome(outcome);
      expect(view.severity).toBe('critical');
      const all = [
        renderPlainText(outcome),
        JSON.stringify(renderSlackMessage(outcome)),
        JSON.stringify(renderQNotification(outcome)),
      ].join('\n');
      expect(all).not.toMatch(/warning\b(?!:)/i);
      expect(all).toMatch(/CRITICAL|critical/);
      if (analysed) {
        // The critical-process finding agrees with the severity.
        expect(outcome.analysis?.findings.map((f) => f.family)).toContain('critical-process-killed');
      }
    }
    // An ordinary unit stays a warning.
    expect(describeOutcome(await outcomeOf(SCOPE, false)).severity).toBe('warning');
  });

  it("gives systemd-oomd's own next steps, not cgroup memory-limit advice", async () => {
    for (const analysed of [false, true]) {
      const outcome = await outcomeOf(JOURNALD, analysed);
      const steps = describeOutcome(outcome).nextSteps.map(adviceText).join('\n');
      expect(steps).toContain('oomctl');
      expect(steps).toContain('ManagedOOMPreference=avoid');
      expect(steps).toContain('ManagedOOMMemoryPressureLimit=');
      expect(steps).not.toMatch(/MemoryMax=|memory\.max|resources\.limits/);
      expect(validateSlackMessage(renderSlackMessage(outcome))).toEqual([]);
    }
    const finding = (await outcomeOf(JOURNALD, true)).analysis?.likelyCause;
    // The rule systemd-oomd applied, and its figure for the unit: two of its own statements.
    expect(finding?.evidence.filter((item) => item.kind === 'kernel')).toHaveLength(2);
    expect(finding?.title).not.toContain('systemd-oomd killed');
  });

  it('protects a transient scope with a property, with or without an analysis, and names the unit the rule is on', async () => {
    // Real: systemd-oomd killed a vte-spawn scope under a rule on user@1001.service (its log line says both).
    const fixture = 'modern/systemd-oomd-pressure-vte-spawn-scope.log';
    const text = readFileSync(`${KERNEL_CORPUS}${fixture}`, 'utf8');
    const scope = /Killed \/\S*\/([^/\s]+\.scope) due to/.exec(text)?.[1] ?? '?';
    const monitored = /memory pressure for \/\S*\/([^/\s]+) being/.exec(text)?.[1] ?? '?';
    for (const analysed of [false, true]) {
      const steps = describeOutcome(await outcomeOf(fixture, analysed)).nextSteps;
      const oomd = steps.find((step) => step.text.includes('oomctl'));
      expect(oomd?.code).toBe(`sudo systemctl set-property ${scope} ManagedOOMPreference=avoid`);
      expect(oomd?.after).toContain(`relax the rule on ${monitored}: \`sudo systemctl edit ${monitored}\``);
      expect(oomd?.after).toContain(monitored.endsWith('.service') ? 'under [Service]' : 'under [Slice]');
    }
  });
});

describe('OomdCandidates', () => {
  it("reads every field of systemd's candidate block (oomd-util.c's dump format)", () => {
    const candidates = new OomdCandidates();
    const block = [
      'Considered 3 cgroups for killing, top candidates were:',
      '        Path: /user.slice/user-1000.slice/user@1000.service/app.slice/big.service',
      '                Memory Pressure Limit: 50.00%',
      '                Pressure: Avg10: 61.20 Avg60: 40.05 Avg300: 12.00 Total: 34s',
      '                Current Memory Usage: 1.2G',
      '                Memory Min: 0B',
      '                Memory Low: 0B',
      '                Pgscan: 120034',
      '                Last Pgscan: 118000',
      '                Swap Usage: 512.0M',
      '        Path: /user.slice/user-1000.slice/user@1000.service/app.slice/small.service',
      '                Current Memory Usage: 10.0M',
    ];
    for (const line of block) expect(candidates.read(line)).toBe(true);
    expect(candidates.read('oomd attempting to kill 407 with KILL')).toBe(false);
    expect(candidates.take('/user.slice/user-1000.slice/user@1000.service/app.slice/big.service')).toEqual({
      path: '/user.slice/user-1000.slice/user@1000.service/app.slice/big.service',
      considered: 3,
      memoryUsageKb: 1.2 * 1024 * 1024,
      swapUsageKb: 512 * 1024,
      memoryPressureLimitPercent: 50,
      pressureAvg10: 61.2,
      pressureAvg60: 40.05,
    });
    // Taken once: a later kill reads its own block.
    expect(
      candidates.take('/user.slice/user-1000.slice/user@1000.service/app.slice/small.service'),
    ).toBeNull();
  });
});
