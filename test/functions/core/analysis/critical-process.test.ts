import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { diagnostics } from '../../../support/diagnostics';
import { analyzeIncident, evidenceTexts, findingOf, incidentFrom } from './incidents';

describe('the critical-process-killed finding', () => {
  it('reports containerd killed by the OOM killer and how to keep it out of reach', () => {
    // Real: containerd.service's containerd (oom_score_adj 0) killed when runc:[2:INIT] asked for memory.
    const analysis = analyzeIncident(
      incidentFrom('modern/cpuset-constraint-runc-init-no-timestamps-5.8.log'),
      diagnostics(),
    );
    const critical = findingOf(analysis, 'critical-process-killed');

    expect(critical?.title).toBe(
      'A critical process was killed: containerd; containers on this host lose their runtime',
    );
    expect(critical?.confidence).toBe(0.64);
    expect(evidenceTexts(critical)).toEqual([
      'the OOM killer killed containerd (pid 4100): containers on this host lose their runtime',
      'its oom_score_adj was 0: nothing protected it',
      'the memory was asked for by runc:[2:INIT] (pid 8291)',
    ]);
    // The drop-in is the code, exactly the lines `systemctl edit` needs; the command to open it is in the prose.
    expect(critical?.recommendation).toEqual({
      text: "Make the OOM killer pick something else: lower containerd.service's score with a drop-in (it survives package updates; run `sudo systemctl edit containerd.service` and add these lines), restart it so the setting applies, and make sure systemd restarts it after a kill (Restart=on-abort does not):",
      code: ['[Service]', 'OOMScoreAdjust=-900', 'Restart=on-failure'].join('\n'),
      after:
        '-900 rather than -1000 keeps it killable as a last resort. This protects the instance; the memory problem itself is the likely cause above.',
    });
  });

  it('says it is unconfirmed when the host did not confirm the kill: the claim rests on the reported line alone', () => {
    const analysis = analyzeIncident(
      incidentFrom('modern/cpuset-constraint-runc-init-no-timestamps-5.8.log'),
      diagnostics({
        killConfirmation: {
          status: 'not-found',
          source: 'dmesg',
          line: null,
          detail: 'no kernel line kills pid 4100',
        },
      }),
    );
    const critical = findingOf(analysis, 'critical-process-killed');

    expect(critical?.title).toBe(
      'Unconfirmed: a critical process was killed: containerd; containers on this host lose their runtime',
    );
    expect(evidenceTexts(critical).at(-1)).toBe("the host's kernel log does not confirm the kill");
  });

  it('is the impact, never the likely cause', () => {
    const analysis = analyzeIncident(
      incidentFrom('modern/cpuset-constraint-runc-init-no-timestamps-5.8.log'),
      null,
    );
    expect(analysis.likelyCause?.family).toBe('cgroup-limit');
    expect(analysis.findings.map((f) => f.family)).toEqual(['cgroup-limit', 'critical-process-killed']);
  });

  it('recommends ManagedOOMPreference when systemd-oomd took the journal', () => {
    const analysis = analyzeIncident(
      incidentFrom('modern/systemd-oomd-marked-for-killing-monotonic.log'),
      diagnostics(),
    );
    const critical = findingOf(analysis, 'critical-process-killed');
    expect(evidenceTexts(critical)).toEqual([
      'systemd-oomd killed systemd-journald.service: logging stopped until systemd restarted the journal',
    ]);
    expect(adviceText(critical?.recommendation)).toContain('ManagedOOMPreference=avoid');
    expect(analysis.likelyCause?.family).toBe('host-exhausted');
  });

  it('says nothing when the victim is an ordinary process', () => {
    const analysis = analyzeIncident(incidentFrom('modern/global-oom-6.11-stress-ng-complete.log'), null);
    expect(findingOf(analysis, 'critical-process-killed')).toBeUndefined();
  });
});
