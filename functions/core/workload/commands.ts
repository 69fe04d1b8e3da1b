import type { Workload } from './identity';
import { containerTarget } from './label';

/**
 * What on-call runs to look at the killed workload, with its names filled in. Never a command that needs a
 * name the host did not tell: with only a pod uid, the command that finds the pod's name from it.
 */
export function workloadCommands(workload: Workload): string[] {
  switch (workload.kind) {
    case 'pod': {
      if (!workload.pod) {
        if (!workload.podUid) return [];
        return [
          `kubectl get pods -A -o custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,UID:.metadata.uid | grep ${workload.podUid}`,
        ];
      }
      const ns = workload.namespace ? `-n ${workload.namespace} ` : '';
      const container = workload.container ? ` -c ${workload.container}` : '';
      return [
        `kubectl ${ns}describe pod ${workload.pod}`,
        `kubectl ${ns}logs ${workload.pod}${container} --previous`,
      ];
    }
    case 'ecs': {
      if (!workload.taskArn) {
        const target = containerTarget(workload);
        return target ? [`docker inspect ${target}`] : [];
      }
      const region = /^arn:[^:]+:ecs:([a-z0-9-]+):/.exec(workload.taskArn)?.[1];
      const cluster = workload.cluster ? ` --cluster ${workload.cluster}` : '';
      return [
        `aws ecs describe-tasks${region ? ` --region ${region}` : ''}${cluster} --tasks ${workload.taskArn}`,
      ];
    }
    case 'container': {
      const target = containerTarget(workload);
      if (!target) return [];
      const cli = workload.runtime === 'podman' ? 'podman' : 'docker';
      return [`${cli} inspect ${target}`];
    }
  }
}
