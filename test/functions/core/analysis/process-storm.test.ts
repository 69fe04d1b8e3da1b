import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { formatKiB } from '../../../../functions/core/format/bytes';
import { digestKill } from '../../../../functions/core/incident/kill-digest';
import { KERNEL_CORPUS } from '../../../support/corpus';
import { diagnostics } from '../../../support/diagnostics';
import { loggedVictims } from '../../../support/kernel-lines';
import { analyzeIncident, evidenceTexts, findingOf, incidentFrom, killsOf } from './incidents';

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

describe('a worker pool killed one after another is sized from its own kills', () => {
  // Real: six apache2 workers killed within two minutes on a 2.6.32 VPS (legacy/SOURCES.md).
  const SIX_WORKERS = 'legacy/ubuntu1004-2.6.32-vps-console-vsz-six-kills.log';
  const lines = readFileSync(`${KERNEL_CORPUS}${SIX_WORKERS}`, 'utf8').split('\n');
  // The largest worker, from its own kill line: anon-rss + file-rss.
  const largestKb = Math.max(...loggedVictims(lines).map((victim) => victim.rssKb ?? 0));
  const totalKb = 2_048_000;
  const cap = Math.floor((totalKb * 0.7) / largestKb);

  /** The six kills as one incident, the pool's processes named `name` (the sizes are the kernel's). */
  function poolOf(name: string) {
    const kills = killsOf(SIX_WORKERS).map((kill) => ({ ...kill, process: name }));
    const [first, ...rest] = kills;
    if (!first) throw new Error('corpus changed');
    const incident = incidentFrom(SIX_WORKERS);
    return {
      ...incident,
      firstKill: { ...incident.firstKill, process: name },
      kills: [digestKill(first, 'web-1'), ...rest.map((kill) => digestKill(kill, 'web-1'))],
      killCount: kills.length,
    };
  }

  const cases: [string, string[]][] = [
    ['apache2', [`\`MaxRequestWorkers ${cap}\` and \`ServerLimit ${cap}\``]],
    ['httpd', [`\`MaxRequestWorkers ${cap}\``]],
    ['php-fpm7.4', [`\`pm.max_children = ${cap}\``, '`pm.max_requests`']],
    ['nginx', [`\`worker_processes\` at most ${cap}`, '`worker_connections`']],
    ['gunicorn', [`\`--workers ${cap}\``, '`--max-requests`']],
    ['uwsgi', [`\`processes = ${cap}\``, '`max-requests`']],
  ];
  for (const [name, settings] of cases) {
    it(`gives ${name} its own setting, with the count that fits (70% of RAM / the largest worker killed)`, () => {
      const analysis = analyzeIncident(
        poolOf(name),
        diagnostics({ memory: { totalKb, availableKb: 900_000 } }),
      );
      const pool = findingOf(analysis, 'process-storm');
      expect(adviceText(pool?.recommendation)).toContain(
        `At ${formatKiB(largestKb)} per worker (the largest killed), ${cap} fit in 70% of ${formatKiB(totalKb)}.`,
      );
      for (const setting of settings) expect(adviceText(pool?.recommendation)).toContain(setting);
      expect(findingOf(analysis, 'memory-leak')).toBeUndefined();
    });
  }

  it('without the host memory, says how many fit per GiB', () => {
    const pool = findingOf(analyzeIncident(poolOf('apache2'), null), 'process-storm');
    const perGiB = Math.floor((1024 * 1024 * 0.7) / largestKb);
    expect(adviceText(pool?.recommendation)).toContain(
      `At ${formatKiB(largestKb)} per worker (the largest killed), each GiB given to the pool holds ${perGiB}`,
    );
  });
});
