import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnosisRelation } from '../../../../functions/core/diagnostics/diagnosis-time';
import { parseDiagnosticsSummary } from '../../../../functions/core/diagnostics/summary-parser';
import { parseKernelLog } from '../../../../functions/core/kernel-log';

const read = (path: string) => readFileSync(new URL(`../../../fixtures/${path}`, import.meta.url), 'utf8');

// Real: the diagnostics captured right after a contained kill on the development VM (collectedAt
// 2026-11-25T18:28:16Z, uptimeSeconds=3768.30, kernel 6.18.44-fc-v782); its output quotes that kill's report.
const CAPTURE = read('diagnostics/collect-diagnostics-debian12-cgroup-v1.stdout');
const summary = parseDiagnosticsSummary(CAPTURE);

describe('whether the diagnostics are about the kill', () => {
  it('takes diagnostics of the same boot, seconds after the kill, as about it, with their time', () => {
    const kill = parseKernelLog(CAPTURE).find((k) => k.pid === 6436);
    if (!kill) throw new Error('the capture quotes the report of pid 6436');
    expect(kill.kernelTime).toBeLessThan(3768.3); // [ 3768.088923] Killed process 6436
    expect(diagnosisRelation(kill, summary)).toEqual({ at: '18:28:16', notAboutThisKill: null });
  });

  it("marks them as another kernel's when the report printed another release", () => {
    // Real: `Pid: 2188, comm: mysqld Not tainted 3.2.34-grsec #1`, replayed against the VM's diagnostics.
    const [kill] = parseKernelLog(
      read('kernel/legacy/grsec-3.2.34-global-mysqld-then-memcg-header-syslog.log'),
    );
    if (!kill) throw new Error('the fixture holds a kill');
    expect(kill.kernelVersion).toBe('3.2.34-grsec');
    expect(diagnosisRelation(kill, summary).notAboutThisKill).toEqual({
      kind: 'another kernel',
      detail: 'the report printed 3.2.34-grsec, the host runs 6.18.44-fc-v782',
    });
  });

  it('marks them as a later boot when the kill was longer after boot than the host has now been up', () => {
    // Real: `[10475.195306] Out of memory: Killed process 31337`, against diagnostics of a host up 3768 s.
    const [kill] = parseKernelLog(read('kernel/forged/captured-dmesg-root-write.log'));
    if (!kill) throw new Error('the fixture holds a kill');
    expect(Math.round(kill.kernelTime ?? 0)).toBe(10475);
    expect(diagnosisRelation(kill, summary).notAboutThisKill).toEqual({
      kind: 'a later boot',
      detail: 'the host had been up 3768 s, the kill was 10475 s after its boot',
    });
  });

  it('marks them as a later boot when the kill was longer ago than the uptime', () => {
    const kill = { time: '2026-11-25T16:00:00Z', kernelTime: null, kernelVersion: null };
    expect(diagnosisRelation(kill, summary).notAboutThisKill).toEqual({
      kind: 'a later boot',
      detail: 'the host had been up 3768 s, the kill was 8896 s before',
    });
  });
});
