import { containerTarget, type Workload, workloadLabel } from '../../workload';

/**
 * Where a container's memory limit is set, for the workload that was killed: the pod's container spec, the ECS
 * task definition (a `docker update` is undone when the agent replaces the task), or the running container.
 */
export function containerLimitHow(workload: Workload, kubernetes: boolean, cap: string): string {
  if (workload.kind === 'pod' || (kubernetes && workload.kind === 'container')) {
    const which = workload.kind === 'pod' && workload.pod ? ` of ${workloadLabel(workload)}` : '';
    return `its container (\`resources.limits.memory\`${which}, ${cap} or below)`;
  }
  if (workload.kind === 'ecs') {
    return `its container (\`memory\` of ${workload.container ?? 'the container'} in task definition ${workload.family ?? '?'}, ${cap} or below)`;
  }
  const target = containerTarget(workload) ?? '<container>';
  return `its container (\`docker update --memory ${cap} --memory-swap ${cap} ${target}\` or lower)`;
}
