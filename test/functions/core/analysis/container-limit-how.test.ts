import { describe, expect, it } from 'vitest';
import { containerLimitHow } from '../../../../functions/core/analysis/findings/container-limit-how';
import type { Workload } from '../../../../functions/core/workload';

const ID = '97f0fa6b72ce802702bb17ba1f6cb7c5a0edbb18c59e08bf0bdd47ee0bf9195c';

describe('containerLimitHow', () => {
  it('points a pod at its container spec, by name when known', () => {
    const pod: Workload = {
      kind: 'pod',
      namespace: 'payments',
      pod: 'api-7d9f',
      container: 'api',
      podUid: null,
      containerId: ID,
    };
    expect(containerLimitHow(pod, true, '1536M')).toBe(
      'its container (`resources.limits.memory` of pod payments/api-7d9f (container api), 1536M or below)',
    );
  });

  it('points an ECS task at its task definition, not at docker update', () => {
    const ecs: Workload = {
      kind: 'ecs',
      cluster: 'prod',
      family: 'orders',
      revision: '42',
      container: 'web',
      taskArn: null,
      dockerName: 'ecs-orders-42-web-e6f3b9a1c2d4f5e6a701',
      containerId: ID,
    };
    const how = containerLimitHow(ecs, false, '1536M');
    expect(how).toContain('`memory` of web in task definition orders');
    expect(how).not.toContain('docker update');
  });

  it('updates a plain container by its name, else its short id', () => {
    const named: Workload = {
      kind: 'container',
      runtime: 'docker',
      name: 'redis',
      image: null,
      containerId: ID,
    };
    expect(containerLimitHow(named, false, '1536M')).toContain(
      '`docker update --memory 1536M --memory-swap 1536M redis`',
    );
    expect(containerLimitHow({ ...named, name: null }, false, '1536M')).toContain(` ${ID.slice(0, 12)}\``);
  });
});
