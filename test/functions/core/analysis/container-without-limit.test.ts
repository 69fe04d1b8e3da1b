import { describe, expect, it } from 'vitest';
import { adviceText } from '../../../../functions/core/analysis/advice';
import { container, diagnostics, GiB } from '../../../support/diagnostics';
import { analyzeIncident, evidenceTexts, families, findingOf, incidentFrom } from './incidents';

// Real: python in a docker container (cgroupfs driver) took down a t3.small (2 GiB, no swap): a global OOM.
const DOCKER_PYTHON = 'modern/syslog-docker-global-python-aws-elided.log';
const CONTAINER_ID = '6141f63fdc9f5bca4ad9c5a98e50a8ad7588948f281668a09bb4f1309af7b059';
const t3small = (containers: { id: string; name: string; memoryLimitBytes: number | null }[]) =>
  diagnostics({
    instanceType: 't3.small',
    memory: { totalKb: 1_986_244, availableKb: 1_402_880 },
    containers: containers.map(container),
  });

describe('the container-without-limit finding', () => {
  it("infers from the kernel's report alone that a containerized victim had no limit of its own", () => {
    const analysis = analyzeIncident(
      incidentFrom(DOCKER_PYTHON, { instance: { instanceType: 't3.small' } }),
      null,
    );
    const finding = findingOf(analysis, 'container-without-limit');

    expect(analysis.likelyCause).toBe(finding);
    expect(finding?.confidence).toBe(0.64);
    expect(finding?.title).toBe(
      'python ran in docker container 6141f63fdc9f without a memory limit that could stop it before the host ran out',
    );
    expect(evidenceTexts(finding)).toEqual([
      // Shown with the id cut to 12 hex: the diagnostics gave no name for it.
      `the kill was host-wide (no memory cgroup limit was hit) although python ran in docker container 6141f63fdc9f (/docker/${CONTAINER_ID.slice(0, 12)}…)`,
      "python's memory cgroup is a container's: a limit there would have confined the kill",
    ]);
    expect(adviceText(finding?.recommendation)).toContain(
      'docker update --memory 1472m --memory-swap 1472m 6141f63fdc9f',
    );
  });

  it('is surer when the runtime confirms the container has no limit', () => {
    const analysis = analyzeIncident(
      incidentFrom(DOCKER_PYTHON, { instance: { instanceType: 't3.small' } }),
      t3small([{ id: '6141f63fdc9f', name: 'etl-worker', memoryLimitBytes: null }]),
    );
    const finding = findingOf(analysis, 'container-without-limit');
    expect(finding?.confidence).toBe(0.75);
    expect(evidenceTexts(finding)).toContain(
      'docker container etl-worker: no memory limit (runtime inspect)',
    );
    expect(families(analysis)).toEqual(['container-without-limit', 'host-exhausted', 'no-swap']);
  });

  it('flags a limit that is not below the host RAM, and stays quiet about a real limit', () => {
    const incident = incidentFrom(DOCKER_PYTHON);
    const tooHigh = analyzeIncident(
      incident,
      t3small([{ id: CONTAINER_ID, name: 'etl', memoryLimitBytes: 4 * GiB }]),
    );
    expect(findingOf(tooHigh, 'container-without-limit')?.confidence).toBe(0.75);
    const real = analyzeIncident(
      incident,
      t3small([{ id: CONTAINER_ID, name: 'etl', memoryLimitBytes: 1 * GiB }]),
    );
    expect(findingOf(real, 'container-without-limit')).toBeUndefined();
  });

  it('lists unlimited containers on the host when the victim was not in one', () => {
    // Real: stress-ng-vm outside any container took the whole 8 GiB host.
    const analysis = analyzeIncident(
      incidentFrom('modern/global-oom-6.11-stress-ng-complete.log'),
      diagnostics({
        containers: [
          container({ id: 'a3f09e1c22b7', name: 'redis', memoryLimitBytes: null }),
          container({ id: '5d0c81b4e9aa', name: 'api', memoryLimitBytes: 2 * GiB }),
        ],
      }),
    );
    const finding = findingOf(analysis, 'container-without-limit');
    expect(finding?.title).toBe('A container on this host runs without a memory limit');
    expect(finding?.confidence).toBe(0.3);
    expect(evidenceTexts(finding)[0]).toBe('without a memory limit: docker container redis');
  });

  it('does not blame the container when it hit its own limit', () => {
    const analysis = analyzeIncident(
      incidentFrom('legacy/ubuntu1604-4.4-docker-memcg-go-main-dmesg.log'),
      null,
    );
    expect(findingOf(analysis, 'container-without-limit')).toBeUndefined();
    expect(analysis.likelyCause?.family).toBe('cgroup-limit');
  });
});
