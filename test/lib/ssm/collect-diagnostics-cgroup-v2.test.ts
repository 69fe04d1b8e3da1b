import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDiagnosticsSummary } from '../../../functions/core/diagnostics/summary-parser';
import { dockerConfig } from './support/docker-config';
import { makeTemp, removeTemp, runScript } from './support/run-script';

/**
 * This host has cgroup v1 and no containers, so the script reads a fake cgroup v2 tree instead (the shape of an
 * Amazon Linux 2023 Kubernetes node running docker too): the same files, the same names, in a temp directory.
 */
const DOCKER_ID = 'a'.repeat(64);
const NGINX_ID = 'b'.repeat(64);
const SIDECAR_ID = 'c'.repeat(64);
const CONMON_ID = 'd'.repeat(64);
const ECS_ID = 'e'.repeat(64);
/** As the ECS agent labels a task's container (agent/engine/docker_task_engine.go) and names it. */
const ECS = {
  cluster: 'prod',
  family: 'orders',
  revision: '42',
  container: 'web',
  taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0f4b0c6e3c7a4b8f9d2e1a0b3c4d5e6f',
  dockerName: 'ecs-orders-42-web-e6f3b9a1c2d4f5e6a701',
  image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:1.8.2',
};
const POD_UID = '1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b';
const POD =
  '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f2e3d4c_5b6a_7980_1a2b_3c4d5e6f7a8b.slice';

let root: string;
let env: Record<string, string>;

function cgroup(path: string, files: Record<string, string>): void {
  mkdirSync(join(root, 'cgroup', path), { recursive: true });
  for (const [name, value] of Object.entries(files))
    writeFileSync(join(root, 'cgroup', path, name), `${value}\n`);
}

beforeAll(() => {
  root = makeTemp('cgroup-v2');
  cgroup('/', { 'cgroup.controllers': 'cpuset cpu io memory pids' });
  cgroup('/system.slice', { 'memory.max': '1073741824' });
  cgroup('/system.slice/myapp.service', {
    'memory.max': '536870912',
    'memory.current': '536000000',
    'memory.peak': '536870912',
    'memory.events': 'low 0\nhigh 0\nmax 12\noom 3\noom_kill 3\noom_group_kill 0',
    'memory.stat': 'anon 530000000\nfile 6000000',
  });
  cgroup(`/system.slice/docker-${DOCKER_ID}.scope`, { 'memory.max': 'max' });
  cgroup(POD, { 'memory.max': '268435456' });
  cgroup(`${POD}/cri-containerd-${NGINX_ID}.scope`, { 'memory.max': 'max', 'memory.current': '200000000' });
  cgroup(`${POD}/cri-containerd-${SIDECAR_ID}.scope`, { 'memory.max': '134217728' });
  cgroup(`${POD}/crio-conmon-${CONMON_ID}.scope`, { 'memory.max': 'max' });
  mkdirSync(join(root, 'pods'));
  writeFileSync(join(root, 'pods', `web-7f9c_shop_nginx-${NGINX_ID}.log`), '');
  writeFileSync(join(root, 'pods', `web-7f9c_shop_sidecar-${SIDECAR_ID}.log`), '');
  dockerConfig(join(root, 'docker'), DOCKER_ID, 'web', 'nginx:1.25', {});
  cgroup(`/system.slice/docker-${ECS_ID}.scope`, { 'memory.max': '536870912' });
  dockerConfig(join(root, 'docker'), ECS_ID, ECS.dockerName, ECS.image, {
    'com.amazonaws.ecs.cluster': ECS.cluster,
    'com.amazonaws.ecs.container-name': ECS.container,
    'com.amazonaws.ecs.task-arn': ECS.taskArn,
    'com.amazonaws.ecs.task-definition-family': ECS.family,
    'com.amazonaws.ecs.task-definition-version': ECS.revision,
  });
  env = {
    SSM_killTime: '',
    SSM_unit: '',
    SSM_pid: '',
    OOM_RESPONDER_CGROUP_FS: join(root, 'cgroup'),
    OOM_RESPONDER_POD_LOGS: join(root, 'pods'),
    OOM_RESPONDER_DOCKER_CONTAINERS: join(root, 'docker'),
  };
});
afterAll(() => removeTemp(root));

describe('collect-diagnostics on a cgroup v2 host with containers', () => {
  it('reads the victim unit’s limit, usage and OOM kills', async () => {
    const result = await runScript('collect-diagnostics', {
      ...env,
      SSM_memcgPath: '/system.slice/myapp.service',
    });
    expect(parseDiagnosticsSummary(result.stdout).cgroup).toEqual({
      version: 2,
      path: '/system.slice/myapp.service',
      limitBytes: 536870912,
      usageBytes: 536000000,
      oomKills: 3,
      // This tree has no memory.swap.max files (see collect-diagnostics-cgroup-swap.test.ts for those).
      swap: null,
    });
    expect(result.stdout).toContain('/system.slice/myapp.service/memory.events:oom_kill 3');
    expect(result.stdout).toContain('/system.slice/myapp.service/memory.stat:anon 530000000');
  });

  it('reports the limit that binds, a pod’s, for a container without its own', async () => {
    const memcgPath = `${POD}/cri-containerd-${NGINX_ID}.scope`;
    const summary = parseDiagnosticsSummary(
      (await runScript('collect-diagnostics', { ...env, SSM_memcgPath: memcgPath })).stdout,
    );
    expect(summary.cgroup).toMatchObject({ path: memcgPath, limitBytes: 268435456, usageBytes: 200000000 });
  });

  it('falls back to the nearest ancestor of a cgroup that is gone', async () => {
    const result = await runScript('collect-diagnostics', {
      ...env,
      SSM_memcgPath: '/system.slice/gone.service',
    });
    expect(parseDiagnosticsSummary(result.stdout).cgroup).toMatchObject({
      path: '/system.slice',
      limitBytes: 1073741824,
    });
    expect(result.stdout).toContain('(cgroup /system.slice/gone.service is gone; showing /system.slice)');
  });

  it('lists docker and containerd containers with who they are and their limits, and which have none', async () => {
    const result = await runScript('collect-diagnostics', { ...env, SSM_memcgPath: '' });
    const summary = parseDiagnosticsSummary(result.stdout);
    const byId = Object.fromEntries(summary.containers.map((c) => [c.id, c]));
    expect(summary.containers).toHaveLength(4);
    expect(byId[DOCKER_ID]).toEqual({
      runtime: 'docker',
      id: DOCKER_ID,
      name: 'web',
      image: 'nginx:1.25',
      memoryLimitBytes: null,
      kubernetes: null,
      ecs: null,
    });
    // The pod's names from the kubelet's log link web-7f9c_shop_nginx-<id>.log, its uid from its cgroup.
    const pod = { namespace: 'shop', pod: 'web-7f9c', podUid: POD_UID };
    expect(byId[NGINX_ID]).toEqual({
      runtime: 'containerd',
      id: NGINX_ID,
      name: 'nginx',
      image: null,
      memoryLimitBytes: null,
      kubernetes: { ...pod, container: 'nginx' },
      ecs: null,
    });
    expect(byId[SIDECAR_ID]).toMatchObject({
      name: 'sidecar',
      memoryLimitBytes: 134217728,
      kubernetes: { ...pod, container: 'sidecar' },
    });
    expect(byId[ECS_ID]).toEqual({
      runtime: 'docker',
      id: ECS_ID,
      name: ECS.dockerName,
      image: ECS.image,
      memoryLimitBytes: 536870912,
      kubernetes: null,
      ecs: {
        cluster: ECS.cluster,
        family: ECS.family,
        revision: ECS.revision,
        container: ECS.container,
        taskArn: ECS.taskArn,
      },
    });
    expect(result.stdout).toContain('containersWithoutLimit=2');
    expect(result.stdout).toContain('4 container(s), 2 without a memory limit:');
    expect(result.stdout).toContain(
      `containerd ${NGINX_ID.slice(0, 12)} pod shop/web-7f9c container nginx limit=none`,
    );
    expect(result.stdout).toContain(
      `docker ${ECS_ID.slice(0, 12)} ECS task orders:42 container web image ${ECS.image} limit=536870912`,
    );
    // The root of a v2 tree has no limit of its own: the host's memory is the limit.
    expect(summary.cgroup).toMatchObject({ version: 2, path: '/', limitBytes: null });
  });

  it("lists the victim's container first, so the summary's bounds never drop it", async () => {
    // Two victims: whatever order find lists the tree in, at least one of them is not listed first by chance.
    for (const [id, memcgPath] of [
      [SIDECAR_ID, `${POD}/cri-containerd-${SIDECAR_ID}.scope`],
      [ECS_ID, `/system.slice/docker-${ECS_ID}.scope`],
    ] as const) {
      const summary = parseDiagnosticsSummary(
        (await runScript('collect-diagnostics', { ...env, SSM_memcgPath: memcgPath })).stdout,
      );
      expect(summary.containers[0]?.id).toBe(id);
      expect(summary.containers).toHaveLength(4);
    }
  });
});
