import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { formatKiB } from '../../../../functions/core/format/bytes';
import { describeOutcome } from '../../../../functions/core/render/view';
import { diagnostics } from '../../../support/diagnostics';
import { analyzeIncident, findingOf, incidentFrom } from '../analysis/incidents';
import { corpusKill, fullOutcome, incidentFor, summary } from './scenarios';

describe('next steps show what the diagnostics already answered, not the command that asks it', () => {
  it('shows the largest processes at diagnosis instead of `ps aux --sort=-rss`', () => {
    const summaryAtDiagnosis = diagnostics();
    const host = findingOf(
      analyzeIncident(incidentFrom('modern/global-oom-6.11-stress-ng-complete.log'), summaryAtDiagnosis),
      'host-exhausted',
    );
    const [largest] = [...summaryAtDiagnosis.topProcesses].sort((a, b) => b.rssKb - a.rssKb);
    expect(adviceText(host?.recommendation)).toContain(
      `at diagnosis 17:31:42 the largest processes were ${largest?.comm} (pid ${largest?.pid}) ${formatKiB(largest?.rssKb ?? 0)}`,
    );
    expect(adviceText(host?.recommendation)).not.toContain('ps aux');
  });

  it('keeps the command when there are no diagnostics, or they describe another kernel', () => {
    const none = findingOf(
      analyzeIncident(incidentFrom('modern/global-oom-6.11-stress-ng-complete.log'), null),
      'host-exhausted',
    );
    expect(adviceText(none?.recommendation)).toContain('`ps aux --sort=-rss | head`');
    // The report printed 6.11.0-...; diagnostics from another kernel say nothing of this kill's processes.
    const later = findingOf(
      analyzeIncident(
        incidentFrom('modern/global-oom-6.11-stress-ng-complete.log'),
        diagnostics({ kernelRelease: '5.10.0-1.amzn2.x86_64' }),
      ),
      'host-exhausted',
    );
    expect(adviceText(later?.recommendation)).toContain('`ps aux --sort=-rss | head`');
  });

  it('says the diagnostics did not find an unconfirmed kill, at diagnosis, instead of the dmesg grep', async () => {
    const outcome = fullOutcome(
      incidentFor(await corpusKill('legacy/rhel6-2.6.32-642-global-java-full-syslog.log')),
    );
    outcome.diagnostics.summary = summary({
      killConfirmation: { status: 'not-found', source: 'dmesg', line: null, detail: null },
    });
    const first = adviceText(describeOutcome(outcome).nextSteps[0]);
    expect(first).toContain('at diagnosis 17:00:52');
    expect(first).toContain("the host's kernel log (dmesg -k) did not hold it");
    expect(first).not.toContain('grep');
    // Without diagnostics the command is the step.
    const asked = fullOutcome(
      incidentFor(await corpusKill('legacy/rhel6-2.6.32-642-global-java-full-syslog.log')),
    );
    asked.diagnostics.summary = null;
    expect(adviceText(describeOutcome(asked).nextSteps[0])).toContain(
      "sudo dmesg -k | grep 'Killed process 31995'",
    );
  });

  it("gives the container's memory limit as the diagnostics read it, asking only for what they did not", async () => {
    const kill = await corpusKill('modern/docker-systemd-scope-global-redis-dmesg-T-6.8.log');
    const outcome = fullOutcome(incidentFor(kill));
    outcome.diagnostics.summary = summary({
      containers: [
        {
          runtime: 'docker',
          id: kill.container?.id ?? '',
          name: 'redis',
          image: 'redis:7',
          memoryLimitBytes: null,
          kubernetes: null,
          ecs: null,
        },
      ],
    });
    const steps = describeOutcome(outcome).nextSteps.map(adviceText).join('\n');
    expect(steps).toContain('(State.OOMKilled; at diagnosis 17:00:52: no memory limit)');
    expect(steps).not.toContain('its memory limit)');
  });
});
