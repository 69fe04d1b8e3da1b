import { describe, expect, it } from 'vitest';
import { severityOf } from '../../../../functions/core/incident/build';
import { killsOf } from '../analysis/incidents';

describe('the severity of a kill', () => {
  it.each([
    // Real: the whole host ran out of memory.
    ['a host-wide kill', 'modern/global-oom-6.11-stress-ng-complete.log', 'critical'],
    // Real: php-fpm at its cgroup's limit: the service is hurt, the instance is not.
    ['a cgroup-confined kill of an application', 'modern/host-v1-memcg-nested-php-fpm.log', 'warning'],
    // Real: systemd-oomd killed systemd-journald.service (systemd's own test, modern/SOURCES.md).
    ['systemd-oomd killing journald', 'modern/systemd-oomd-marked-for-killing-monotonic.log', 'critical'],
    // Real: systemd-oomd killed a terminal's scope.
    ['systemd-oomd killing a desktop scope', 'modern/systemd-oomd-pressure-vte-spawn-scope.log', 'warning'],
  ])('%s is %s', (_, fixture, severity) => {
    const [kill] = killsOf(fixture);
    if (!kill) throw new Error(`no kill in ${fixture}`);
    expect(severityOf(kill)).toBe(severity);
  });

  it('reads the unit systemd-oomd named, not a process it never names', () => {
    const [kill] = killsOf('modern/systemd-oomd-marked-for-killing-monotonic.log');
    expect(kill).toMatchObject({
      kind: 'systemd-oomd',
      process: null,
      systemdUnit: 'systemd-journald.service',
    });
  });
});
