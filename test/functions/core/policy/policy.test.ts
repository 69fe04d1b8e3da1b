import { describe, expect, it } from 'vitest';
import { InvalidPolicyError, isUnitAllowed, parsePolicy } from '../../../../functions/core/policy/policy';

const HOW = 'write a unit name such as myapp-web.service, or a family with one * such as myapp-*.service';

/** The problems parsePolicy lists for a policy allowing these units, or [] when it accepts them. */
function problemsOf(allowedUnits: unknown[]): string[] {
  try {
    parsePolicy({ restartService: { enabled: true, allowedUnits } });
    return [];
  } catch (error) {
    if (error instanceof InvalidPolicyError) return error.problems;
    throw error;
  }
}

describe('restartService.allowedUnits', () => {
  it.each([
    ['myapp-web.service'],
    ['myapp-*.service'],
    ['worker@*.service'],
    ['worker@2.service'],
    ['docker-registry.service'],
    ['my-app_v2:x.service'],
  ])('accepts %s', (unit) => {
    expect(problemsOf([unit])).toEqual([]);
  });

  it.each([
    ['*', `"*" would allow every service on the host, systemd's own included; ${HOW}`],
    ['*.service', `"*.service" would allow every service on the host, systemd's own included; ${HOW}`],
    ['api-*', `"api-*" does not end in .service; ${HOW}`],
    ['myapp', `"myapp" does not end in .service; ${HOW}`],
    ['myapp.socket', `"myapp.socket" does not end in .service; ${HOW}`],
    [
      'session-4.scope',
      `"session-4.scope" is a scope: systemd cannot restart a scope (it only groups processes started elsewhere); allow the .service that runs the program instead; ${HOW}`,
    ],
    ['a*b*.service', `"a*b*.service" has 2 *s, a pattern may have one; ${HOW}`],
    [
      'my app.service',
      `"my app.service" is not a unit name (letters, digits and : _ . @ - only, at most 255); ${HOW}`,
    ],
    [
      'foo@.service',
      `"foo@.service" is not a service restart-service accepts (a bare template such as foo@.service, or a name that starts or ends oddly); ${HOW}`,
    ],
    [
      'docker.service',
      '"docker.service" is a protected unit (docker.service): it is never restarted automatically, whatever the policy says; remove it',
    ],
    [
      'systemd-journald.service',
      '"systemd-journald.service" is a protected unit (systemd-*.service): it is never restarted automatically, whatever the policy says; remove it',
    ],
    [
      'user@*.service',
      `"user@*.service" could match protected units (user@*.service), a user manager (user@<uid>.service) among them, which are never restarted automatically; give the family a prefix of its own: ${HOW}`,
    ],
    [
      'kube*.service',
      `"kube*.service" could match protected units (kubelet.service), which are never restarted automatically; give the family a prefix of its own: ${HOW}`,
    ],
    [
      'us*.service',
      `"us*.service" could match protected units (user@*.service, user-runtime-dir@*.service), a user manager (user@<uid>.service) among them, which are never restarted automatically; give the family a prefix of its own: ${HOW}`,
    ],
  ])('refuses %s, saying how to write a valid one', (unit, message) => {
    expect(problemsOf([unit])).toEqual([`restartService.allowedUnits.0: ${message}`]);
  });

  it('refuses a pattern starting with * (it would match systemd-*.service too)', () => {
    const [problem] = problemsOf(['*-web.service']);
    expect(problem).toContain('"*-web.service" could match protected units (');
    expect(problem).toContain('systemd-*.service');
  });

  it('lists every refused entry by its index', () => {
    expect(problemsOf(['ok.service', '*', 'docker.service']).map((p) => p.split(':')[0])).toEqual([
      'restartService.allowedUnits.1',
      'restartService.allowedUnits.2',
    ]);
  });
});

describe('isUnitAllowed', () => {
  it('matches exact names and one-* families', () => {
    expect(isUnitAllowed('myapp-web.service', ['myapp-*.service'])).toBe(true);
    expect(isUnitAllowed('myapp.service', ['myapp-*.service'])).toBe(false);
    expect(isUnitAllowed('worker@2.service', ['worker@*.service'])).toBe(true);
  });

  it('never allows a protected unit, even from a list that bypassed the schema', () => {
    expect(isUnitAllowed('docker.service', ['docker.service'])).toBe(false);
    expect(isUnitAllowed('user@1000.service', ['*'])).toBe(false);
    expect(isUnitAllowed('myapp.service', ['*'])).toBe(true);
  });
});
