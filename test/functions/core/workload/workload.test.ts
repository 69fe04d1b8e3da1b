import { describe, expect, it } from 'vitest';
import {
  readableCgroupPath,
  workloadCommands,
  workloadLabel,
  workloadOf,
} from '../../../../functions/core/workload';
import { container } from '../../../support/diagnostics';
import { killsOf } from '../analysis/incidents';

// Real: java in a Burstable pod, kubelet with the cgroupfs driver (/kubepods/burstable/pod<uid>/<id>).
const [kill] = killsOf('modern/k8s-cgroupfs-burstable-java-dmesg-T-zh-locale.log');
const ref = kill?.container ?? null;
const id = ref?.id ?? '';
const uid = ref?.podUid ?? '';
const path = kill?.taskMemcg ?? '';
const named = container({
  runtime: 'containerd',
  id,
  name: 'api',
  kubernetes: { namespace: 'payments', pod: 'api-7d9f', container: 'api', podUid: uid },
});

describe('workloadOf', () => {
  it('reads the pod and container names of the victim, matched by its container id', () => {
    expect(workloadOf(ref, [named])).toEqual({
      kind: 'pod',
      namespace: 'payments',
      pod: 'api-7d9f',
      container: 'api',
      podUid: uid,
      containerId: id,
    });
  });

  it('matches a 12-hex id the diagnostics printed against the 64-hex one of the cgroup path', () => {
    expect(workloadOf(ref, [{ ...named, id: id.slice(0, 12) }])).toMatchObject({ pod: 'api-7d9f' });
  });

  it("names the pod from a sibling container, but never says the sibling's name is the victim's", () => {
    const sibling = container({
      id: 'f'.repeat(64),
      kubernetes: { namespace: 'payments', pod: 'api-7d9f', container: 'envoy', podUid: uid },
    });
    expect(workloadOf(ref, [sibling])).toMatchObject({ pod: 'api-7d9f', container: null });
  });

  it('keeps the ids alone when the diagnostics do not list the container', () => {
    expect(workloadOf(ref, [])).toEqual({
      kind: 'pod',
      namespace: null,
      pod: null,
      container: null,
      podUid: uid,
      containerId: id,
    });
    expect(workloadOf(null, [named])).toBeNull();
  });
});

describe('workloadLabel and workloadCommands', () => {
  it('say the pod by namespace/name with the kubectl commands that take them', () => {
    const workload = workloadOf(ref, [named]);
    if (!workload) throw new Error('no workload');
    expect(workloadLabel(workload)).toBe('pod payments/api-7d9f (container api)');
    expect(workloadCommands(workload)).toEqual([
      'kubectl -n payments describe pod api-7d9f',
      'kubectl -n payments logs api-7d9f -c api --previous',
    ]);
  });

  it('find a pod known only by its uid, never describe a pod without a name', () => {
    const workload = workloadOf(ref, []);
    if (!workload) throw new Error('no workload');
    expect(workloadLabel(workload)).toBe(`pod ${uid}`);
    const [command, ...rest] = workloadCommands(workload);
    expect(rest).toEqual([]);
    expect(command).toMatch(/^kubectl get pods -A -o custom-columns=.*UID:\.metadata\.uid \| grep /);
    expect(command?.endsWith(` grep ${uid}`)).toBe(true);
  });

  it('take docker containers by name (podman with its own CLI), by short id when nameless', () => {
    const dockerRef = { runtime: 'docker', id, podUid: null };
    const redis = container({ id, name: 'redis', image: 'redis:7' });
    const withName = workloadOf(dockerRef, [redis]);
    const nameless = workloadOf(dockerRef, []);
    const podman = workloadOf({ ...dockerRef, runtime: 'podman' }, [{ ...redis, runtime: 'podman' }]);
    if (!withName || !nameless || !podman) throw new Error('no workload');
    expect(workloadLabel(withName)).toBe('docker container redis (image redis:7)');
    expect(workloadCommands(withName)).toEqual(['docker inspect redis']);
    expect(workloadLabel(nameless)).toBe(`docker container ${id.slice(0, 12)}`);
    expect(workloadCommands(nameless)).toEqual([`docker inspect ${id.slice(0, 12)}`]);
    expect(workloadCommands(podman)).toEqual(['podman inspect redis']);
  });

  it('say an ECS task by family:revision and describe it in the region of its ARN', () => {
    const taskArn = 'arn:aws:ecs:ap-southeast-2:123456789012:task/prod/0f4b0c6e3c7a4b8f9d2e1a0b3c4d5e6f';
    const ecs = { cluster: 'prod', family: 'orders', revision: '42', container: 'web', taskArn };
    const workload = workloadOf({ runtime: 'docker', id, podUid: null }, [
      container({ id, name: 'ecs-orders-42-web-e6f3b9a1c2d4f5e6a701', ecs }),
    ]);
    if (!workload) throw new Error('no workload');
    expect(workloadLabel(workload)).toBe('ECS task orders:42 (container web)');
    expect(workloadCommands(workload)).toEqual([
      `aws ecs describe-tasks --region ap-southeast-2 --cluster prod --tasks ${taskArn}`,
    ]);
    const noArn = { ...workload, taskArn: null };
    expect(workloadCommands(noArn)).toEqual(['docker inspect ecs-orders-42-web-e6f3b9a1c2d4f5e6a701']);
  });
});

describe('readableCgroupPath', () => {
  it('puts the pod and container names in place of their ids (cgroupfs layout)', () => {
    const workload = workloadOf(ref, [named]);
    expect(readableCgroupPath(path, workload)).toBe('/kubepods/burstable/pod[payments/api-7d9f]/[api]');
  });

  it('cuts ids without a name to 12 hex and leaves the pod uid as the kernel printed it', () => {
    expect(readableCgroupPath(path, workloadOf(ref, []))).toBe(
      `/kubepods/burstable/pod${uid}/${id.slice(0, 12)}…`,
    );
    expect(readableCgroupPath('/system.slice/mysql.service', null)).toBe('/system.slice/mysql.service');
  });
});
