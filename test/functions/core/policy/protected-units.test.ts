import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  globMatches,
  globsOverlap,
  PROTECTED_UNITS,
  protectedPatternOf,
} from '../../../../functions/core/policy/protected-units';
import { scriptPath } from '../../../../lib/ssm/script-source';

/** The quoted entries of restart-service.sh's `readonly PROTECTED_UNITS=( ... )` array, in order. */
function scriptProtectedUnits(): string[] {
  const script = readFileSync(scriptPath('restart-service'), 'utf8');
  const block = /^readonly PROTECTED_UNITS=\(\n([\s\S]*?)^\)$/m.exec(script)?.[1];
  if (!block) throw new Error('restart-service.sh has no PROTECTED_UNITS array');
  return block
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const entry = /^ {2}'([^']+)'$/.exec(line)?.[1];
      if (!entry) throw new Error(`not a quoted unit pattern: ${JSON.stringify(line)}`);
      return entry;
    });
}

describe('the protected units', () => {
  it('are the same list in restart-service.sh as in the policy code', () => {
    expect(scriptProtectedUnits()).toEqual([...PROTECTED_UNITS]);
  });

  it.each([
    ['docker.service', 'docker.service'],
    ['containerd.service', 'containerd.service'],
    ['kubelet.service', 'kubelet.service'],
    ['rsyslog.service', 'rsyslog.service'],
    ['amazon-cloudwatch-agent.service', 'amazon-cloudwatch-agent.service'],
    ['systemd-journald.service', 'systemd-*.service'],
    ['systemd-timesyncd.service', 'systemd-*.service'],
    ['systemd-resolved.service', 'systemd-*.service'],
    ['chrony.service', 'chrony.service'],
    ['user@1000.service', 'user@*.service'],
    ['snap.amazon-ssm-agent.amazon-ssm-agent.service', 'snap.amazon-ssm-agent.*.service'],
    ['NetworkManager-wait-online.service', 'NetworkManager-*.service'],
  ])('protect %s (as %s)', (unit, pattern) => {
    expect(protectedPatternOf(unit)).toBe(pattern);
  });

  it.each(['myapp-web.service', 'docker-registry.service', 'nginx.service', 'worker@2.service'])(
    'leave %s to the policy',
    (unit) => {
      expect(protectedPatternOf(unit)).toBeNull();
    },
  );
});

describe('globs with one *', () => {
  it('match a run of any characters, possibly empty, between prefix and suffix', () => {
    expect(globMatches('api-*.service', 'api-.service')).toBe(true);
    expect(globMatches('api-*.service', 'api-web.service')).toBe(true);
    expect(globMatches('api-*.service', 'api.service')).toBe(false);
    expect(globMatches('a*a', 'a')).toBe(false);
  });

  it.each([
    ['*.service', 'docker.service', true],
    ['docker*.service', 'docker.service', true],
    ['user@*.service', 'user@*.service', true],
    ['us*', 'user@*.service', true],
    ['*-web.service', 'systemd-*.service', true],
    ['myapp-*.service', 'systemd-*.service', false],
    ['myapp-*.service', 'docker.service', false],
    ['myapp.service', 'myapp.service', true],
    ['myapp.service', 'myapp-web.service', false],
  ])('%s and %s overlap: %s', (a, b, overlap) => {
    expect(globsOverlap(a, b)).toBe(overlap);
    expect(globsOverlap(b, a)).toBe(overlap);
  });
});
