import { describe, expect, it } from 'vitest';
import { corpusSamples } from '../../../support/corpus';
import { analyzeIncident, evidenceTexts, families, findingOf, incidentFrom, killsOf } from './incidents';

const NEEDS_DIAGNOSTICS = ['jvm-heap-oversized', 'overcommit', 'kernel-slab'];

// Diagnostics fail on unmanaged instances, when the agent is offline, or when the command times out.
describe('analysis from the kill alone (no diagnostics)', () => {
  it('still tells a cgroup limit from a host out of memory, and the victim from the trigger', () => {
    const container = analyzeIncident(
      incidentFrom('legacy/ubuntu1604-4.4-docker-memcg-go-main-dmesg.log'),
      null,
    );
    expect(families(container)).toEqual(['cgroup-limit']);
    expect(evidenceTexts(findingOf(container, 'cgroup-limit'))[0]).toBe(
      'at the kill: memory usage 200 MiB, limit 200 MiB, failcnt 4563',
    );

    const host = analyzeIncident(
      incidentFrom('legacy/ubuntu1504-3.19-global-mysqld-php5fpm-syslog.log'),
      null,
    );
    expect(families(host)).toEqual(['host-exhausted']);
    // Victim and trigger are the kernel's certainty: the view's "What happened" holds them, not the hypothesis.
    expect(evidenceTexts(findingOf(host, 'host-exhausted')).join('\n')).not.toContain('invoked by');
  });

  it('still reports a critical process and the missing swap', () => {
    const critical = analyzeIncident(
      incidentFrom('modern/cpuset-constraint-runc-init-no-timestamps-5.8.log'),
      null,
    );
    expect(findingOf(critical, 'critical-process-killed')).toBeDefined();
    const noSwap = analyzeIncident(incidentFrom('legacy/rhel6-2.6.32-642-global-java-full-syslog.log'), null);
    expect(families(noSwap)).toEqual(['host-exhausted', 'no-swap']);
  });

  const kills = corpusSamples()
    .filter((sample) => sample.theme !== 'negative')
    .flatMap((sample) => {
      const fixture = `${sample.theme}/${sample.name}.log`;
      return killsOf(fixture).map((_, index) => [`${fixture} #${index}`, fixture, index] as const);
    });

  it.each(kills)('%s: yields a likely cause, each finding with evidence and a fix', (_, fixture, index) => {
    const analysis = analyzeIncident(incidentFrom(fixture, { index }), null);
    expect(analysis.likelyCause).not.toBeNull();
    expect(analysis.findings[0]).toBe(analysis.likelyCause);
    for (const finding of analysis.findings) {
      expect(NEEDS_DIAGNOSTICS).not.toContain(finding.family);
      expect(finding.confidence).toBeGreaterThan(0);
      expect(finding.confidence).toBeLessThanOrEqual(1);
      expect(finding.title).not.toMatch(/\n|undefined|null|NaN/);
      // Every hypothesis rests on something: at least one item that is not mere context.
      expect(finding.evidence.some((item) => item.kind !== 'context' && item.kind !== 'contradicts')).toBe(
        true,
      );
      for (const line of evidenceTexts(finding)) expect(line).not.toMatch(/\n|undefined|NaN/);
      expect(finding.recommendation.text.length).toBeGreaterThan(40);
    }
    // Pure and deterministic: the same input gives the same analysis.
    expect(analyzeIncident(incidentFrom(fixture, { index }), null)).toEqual(analysis);
  });
});
