import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  confidenceOf,
  contradicts,
  type Evidence,
  type EvidenceKind,
  MAX_CONFIDENCE,
  stated,
} from '../../../../functions/core/analysis/evidence';
import { analyzeIncident, findingOf, incidentFrom } from './incidents';

const FINDINGS_DIR = fileURLToPath(new URL('../../../../functions/core/analysis/findings/', import.meta.url));

const evidenceArb = (kinds: readonly EvidenceKind[]): fc.Arbitrary<Evidence> =>
  fc.record({ kind: fc.constantFrom(...kinds), text: fc.string({ maxLength: 20 }) });
const anyEvidence = fc.array(evidenceArb(['kernel', 'measured', 'inferred', 'contradicts', 'context']), {
  maxLength: 12,
});
const supporting = evidenceArb(['kernel', 'measured', 'inferred']);

describe('confidenceOf: a confidence derived from the evidence', () => {
  it('combines supporting items like independent witnesses, halves per contradiction, ignores context', () => {
    expect(confidenceOf([])).toBe(0);
    expect(confidenceOf([{ kind: 'context', text: 'RAM 8 GiB' }])).toBe(0);
    expect(confidenceOf([stated('a')])).toBe(0.4);
    expect(confidenceOf([stated('a'), stated('b')])).toBe(0.64);
    expect(confidenceOf([stated('a'), { kind: 'measured', text: 'b' }])).toBe(0.58);
    expect(confidenceOf([stated('a'), { kind: 'inferred', text: 'b' }])).toBe(0.49);
    expect(confidenceOf([stated('a'), contradicts('b')])).toBe(0.2);
    expect(confidenceOf(Array.from({ length: 20 }, (_, i) => stated(String(i))))).toBe(MAX_CONFIDENCE);
  });

  it('never lowers when supporting evidence is added', () => {
    fc.assert(
      fc.property(anyEvidence, supporting, fc.nat(12), (evidence, extra, at) => {
        const more = [...evidence.slice(0, at), extra, ...evidence.slice(at)];
        expect(confidenceOf(more)).toBeGreaterThanOrEqual(confidenceOf(evidence));
      }),
    );
  });

  it('lowers (or stays at 0) when a contradiction is added, and never leaves 0..0.95', () => {
    fc.assert(
      fc.property(anyEvidence, (evidence) => {
        const before = confidenceOf(evidence);
        const after = confidenceOf([...evidence, contradicts('against')]);
        expect(after).toBeLessThanOrEqual(before);
        if (before >= 0.02) expect(after).toBeLessThan(before);
        expect(before).toBeGreaterThanOrEqual(0);
        expect(before).toBeLessThanOrEqual(MAX_CONFIDENCE);
      }),
    );
  });

  it('changes a real finding when its evidence is removed or contradicted', () => {
    // Real: stress-ng-vm held 7.6 GiB of an 8 GiB host; the kernel states the global OOM and the table.
    const analysis = analyzeIncident(incidentFrom('modern/global-oom-6.11-stress-ng-complete.log'), null);
    const host = findingOf(analysis, 'host-exhausted');
    expect(host).toBeDefined();
    if (!host) return;
    expect(host.confidence).toBe(confidenceOf(host.evidence));
    const kernelFacts = host.evidence.filter((item) => item.kind === 'kernel');
    expect(kernelFacts.length).toBeGreaterThanOrEqual(2);
    const withoutOne = host.evidence.filter((item) => item !== kernelFacts[1]);
    expect(confidenceOf(withoutOne)).toBeLessThan(host.confidence);
    expect(confidenceOf([...host.evidence, contradicts('the task table is cut')])).toBeLessThan(
      host.confidence,
    );
  });
});

describe('no finding sets its own confidence', () => {
  const sources = readdirSync(FINDINGS_DIR)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => [name, readFileSync(`${FINDINGS_DIR}${name}`, 'utf8')] as const);

  it('finds the detectors to scan', () => {
    expect(sources.map(([name]) => name)).toEqual(
      expect.arrayContaining(['cgroup-limit.ts', 'host-exhausted.ts']),
    );
  });

  it.each(sources)('%s assigns no confidence', (_, source) => {
    // `confidence: 0.6`, `let confidence = 0.8`, `confidence += 0.1`, a `confidence` parameter or shorthand: every
    // one of them is confidenceOf's job.
    expect(source).not.toMatch(/\bconfidence\s*(?::|[+\-*]?=)/);
    expect(source).not.toMatch(/\bconfidence\s*,\s*\n?\s*evidence/);
  });
});
