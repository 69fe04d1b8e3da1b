import { describe, expect, it } from 'vitest';
import { kernelFinding, killFacts } from '../../../../functions/core/render/kill-facts';
import { KERNEL_CORPUS, parseFile } from '../../../support/corpus';
import { incidentFrom } from '../analysis/incidents';

describe('kernelFinding', () => {
  it("names a container's cgroup by its short id, not the 64-hex path", async () => {
    const [kill] = await parseFile(`${KERNEL_CORPUS}held-out/fedora36-5.18-docker-v2-journalctl-k-grep.log`);
    if (!kill) throw new Error('corpus changed');
    const id = /docker-([0-9a-f]{64})\.scope/.exec(kill.oomMemcg ?? '')?.[1] ?? '';
    const finding = kernelFinding(kill);
    expect(finding).toContain(`/system.slice/docker-${id.slice(0, 12)}`);
    expect(finding).not.toContain(id);
  });
});

describe('the Killed at fact', () => {
  it('is unknown, not the time the line was received, when the log printed no time', () => {
    // `cpuset-constraint-runc-init-no-timestamps-5.8`: a report without any time stamp.
    const incident = incidentFrom('modern/cpuset-constraint-runc-init-no-timestamps-5.8.log');
    expect(incident.firstKill.time).toBeNull();
    expect(incident.firstKill.kernelTime).toBeNull();
    const shown = killFacts(incident, null).find((fact) => fact.label === 'Killed at')?.value;
    expect(shown).toBe('unknown');
    expect(shown).not.toContain(incident.observedAt);
  });
});
