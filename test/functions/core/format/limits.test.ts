import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { killTableRow } from '../../../../cli/format/kill-table';
import {
  formatLimitBytes,
  formatLimitKb,
  isUnlimitedBytes,
  isUnlimitedKb,
} from '../../../../functions/core/format/limits';
import { parseFile } from '../../../support/corpus';

const FIXTURES = new URL('../../../fixtures/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, FIXTURES), 'utf8');

/** Every `limit NkB` the kernel printed in a report, and every v1 limit file the diagnostics read. */
function printedLimitsKb(text: string): number[] {
  return [...text.matchAll(/\blimit (\d+)kB\b/g)].map((m) => Number(m[1]));
}

describe('the kernel\'s "no limit"', () => {
  it("reads the OOM report's unset v1 limit (2^53 kB, once shown as 8388608 TiB) as no limit", () => {
    const text = read('kernel/modern/memcg-bpf-psi-constraint-6.16-patched.log');
    const unset = printedLimitsKb(text).filter((kb) => kb > 2 ** 50);
    expect(unset.length).toBeGreaterThan(0);
    for (const kb of unset) {
      expect(kb).toBe(2 ** 53 - 4); // PAGE_COUNTER_MAX (2^51 - 1 pages of 4 KiB) in kB
      expect(isUnlimitedKb(kb)).toBe(true);
      expect(formatLimitKb(kb)).toBe('no limit');
    }
  });

  it('reads the memory.limit_in_bytes the diagnostics found on a v1 host as no limit', () => {
    const text = read('diagnostics/collect-diagnostics-debian12-cgroup-v1.stdout');
    const values = [...text.matchAll(/limit_in_bytes:(\d+)$/gm)].map((m) => m[1] ?? '');
    expect(values.length).toBeGreaterThan(0);
    for (const printed of values) {
      // PAGE_COUNTER_MAX pages of 4 KiB, exactly: (2^51 - 1) * 4096.
      expect(BigInt(printed)).toBe((2n ** 51n - 1n) * 4096n);
      expect(isUnlimitedBytes(Number(printed))).toBe(true);
      expect(formatLimitBytes(Number(printed))).toBe('no limit');
    }
    // The same value on a 64 KiB-page kernel, and pre-3.19's RESOURCE_MAX (2^64 - 1 bytes).
    expect(formatLimitBytes(Number((2n ** 47n - 1n) * 65536n))).toBe('no limit');
    expect(formatLimitBytes(2 ** 64 - 1)).toBe('no limit');
  });

  it('keeps every real limit the corpus prints (8 kB to 64 GiB) as a size', () => {
    const text = read('kernel/legacy/centos7-docker-memcg-with-swap-dmesg.log');
    const limits = printedLimitsKb(text).filter((kb) => kb < 2 ** 50);
    expect(limits.length).toBeGreaterThan(0);
    for (const kb of [...limits, 8, 67579904]) {
      expect(isUnlimitedKb(kb)).toBe(false);
      expect(formatLimitKb(kb)).toMatch(/^\d+(\.\d)? [KMGT]iB$/);
    }
  });

  it('shows no limit in parse --pretty for a cgroup whose memory: line has none', async () => {
    const path = new URL('kernel/modern/memcg-bpf-psi-constraint-6.16-patched.log', FIXTURES).pathname;
    const kills = await parseFile(path);
    const unset = kills.filter((kill) => kill.memoryLimitKb !== null && kill.memoryLimitKb > 2 ** 50);
    expect(unset.length).toBeGreaterThan(0);
    for (const kill of unset) {
      const scope = killTableRow(kill)[5];
      expect(scope).toBe('memcg no limit');
    }
  });
});
