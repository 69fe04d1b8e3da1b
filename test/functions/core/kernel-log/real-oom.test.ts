import { describe, expect, it } from 'vitest';
import { causeContainedOom, containedOomSupport } from '../../../../cli/local/contained-oom';
import { parseKernelLog } from '../../../../functions/core/kernel-log';

const support = containedOomSupport();
const reason = support.supported ? '' : ` (skipped: ${support.reason})`;

// A real kernel, a real report: the victim outgrows a small memory cgroup of this test's own, never the host.
describe.skipIf(!support.supported)(`a real, contained OOM kill${reason}`, () => {
  it('is parsed from the kernel report with the victim pid, comm and RSS', async () => {
    const oom = await causeContainedOom({ comm: 'oom (test) x:y', limitMiB: 96 });
    const kills = parseKernelLog(oom.kernelRecords.join('\n')).filter((kill) => kill.pid === oom.pid);

    expect(kills).toHaveLength(1);
    const [kill] = kills;
    expect(kill?.process).toBe('oom (test) x:y');
    expect(kill?.kind).toBe('kernel');
    expect(kill?.cgroup).toBe(true);
    expect(kill?.transport).toBe('kmsg');
    expect(kill?.oomMemcg?.endsWith(oom.cgroupPath.slice(oom.cgroupPath.lastIndexOf('/')))).toBe(true);
    // The victim held close to the whole limit in anonymous memory when it died.
    expect(kill?.anonRssKb).toBeGreaterThan(oom.limitMiB * 1024 * 0.5);
    expect(kill?.memoryLimitKb).toBe(oom.limitMiB * 1024);
    expect(kill?.tasks.some((task) => task.pid === oom.pid && task.name === 'oom (test) x:y')).toBe(true);
  });
});
