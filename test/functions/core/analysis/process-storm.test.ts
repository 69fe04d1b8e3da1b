import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { diagnostics } from '../../../support/diagnostics';
import { analyzeIncident, evidenceTexts, findingOf, incidentFrom } from './incidents';

// Real: php5-fpm invoked the OOM killer on a 2 GiB host ("www"); mysqld, the largest task, was killed.
const PHP_HOST = 'legacy/ubuntu1504-3.19-global-mysqld-php5fpm-syslog.log';
const t3small = { instanceType: 't3.small', memory: { totalKb: 1_986_244, availableKb: 912_400 } };

describe('the process-storm finding', () => {
  it('finds a pool grown without a cap, names the worker that asked for memory, and sizes the pool', () => {
    const analysis = analyzeIncident(
      incidentFrom(PHP_HOST, { instance: { instanceType: 't3.small' } }),
      diagnostics({
        ...t3small,
        processCounts: [
          { name: 'php5-fpm', count: 187 },
          { name: 'apache2', count: 6 },
        ],
        processTotal: 262,
      }),
    );
    const storm = findingOf(analysis, 'process-storm');

    expect(analysis.likelyCause).toBe(storm);
    expect(storm?.confidence).toBe(0.64);
    expect(storm?.title).toBe('187 php5-fpm processes: a fork or connection storm');
    expect(evidenceTexts(storm)).toEqual([
      '187 php5-fpm processes running of 262 processes (71%) when the diagnostics ran',
      "one name holds 71% of the host's processes",
      'one of them, php5-fpm (pid 19217), invoked the OOM killer',
    ]);
    // 12 php5-fpm rows in the kernel's table average 14 MiB: 70% of 1.9 GiB holds about 95 of them.
    expect(adviceText(storm?.recommendation)).toContain('`pm.max_children`');
    expect(adviceText(storm?.recommendation)).toContain('At 14 MiB per process, 95 fit in 70% of 1.9 GiB.');
  });

  it('recognizes a flood of SSH connections', () => {
    // Real: a 1 GiB host where mongod was killed; here the diagnostics count the sshd processes after it.
    const analysis = analyzeIncident(
      incidentFrom('modern/journal-docker-mongod-global-oom.log'),
      diagnostics({
        processCounts: [
          { name: 'sshd', count: 143 },
          { name: 'gunicorn', count: 7 },
        ],
        processTotal: 291,
      }),
    );
    const storm = findingOf(analysis, 'process-storm');
    expect(storm?.confidence).toBe(0.41);
    expect(adviceText(storm?.recommendation)).toContain('MaxStartups 10:30:60');
  });

  it('ignores kernel threads, and counts that are normal for a host', () => {
    const kernelThreads = diagnostics({
      processCounts: [
        { name: 'kworker/u4:2-events_unbound', count: 300 },
        { name: 'sshd', count: 3 },
      ],
    });
    expect(
      findingOf(analyzeIncident(incidentFrom(PHP_HOST), kernelThreads), 'process-storm'),
    ).toBeUndefined();
    expect(
      findingOf(analyzeIncident(incidentFrom(PHP_HOST), diagnostics()), 'process-storm'),
    ).toBeUndefined();
  });

  it("does not call a dozen small workers in the kernel's table a storm", () => {
    // Without diagnostics the table is all there is: 12 php5-fpm rows hold 170 MiB, 8% of the 2 GiB host.
    expect(findingOf(analyzeIncident(incidentFrom(PHP_HOST), null), 'process-storm')).toBeUndefined();
  });
});
