import { describe, expect, it } from 'vitest';
import { comparable, corpusSamples, parseFile } from '../../../support/corpus';

// Real kernel output only: see test/fixtures/kernel/README.md and each theme's SOURCES.md.
/** `held-out`: real reports whose expected files were written before the parser first read them. */
const THEMES = ['legacy', 'modern', 'transports', 'negative', 'forged', 'held-out'];

describe.each(THEMES)('the %s corpus', (theme) => {
  const samples = corpusSamples().filter((sample) => sample.theme === theme);

  it('is not empty', () => {
    expect(samples.length).toBeGreaterThan(0);
  });

  it.each(samples.map((sample) => [sample.name, sample] as const))(
    '%s yields the kills a reader finds',
    async (_, sample) => {
      const kills = await parseFile(sample.logPath);
      expect(kills.map((kill, i) => comparable(kill, sample.expected[i] ?? {}))).toEqual(sample.expected);
    },
  );
});
