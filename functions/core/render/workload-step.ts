import { advice } from '../analysis/advice';
import type { Advice } from '../analysis/model';
import type { ResponseOutcome } from '../incident/outcome';
import { type Workload, workloadCommands, workloadLabel, workloadOf } from '../workload';

/**
 * The next step that looks at the killed workload by name: `kubectl -n payments describe pod api-7d9f` and its
 * previous logs, `aws ecs describe-tasks` for an ECS task, `docker inspect redis`. With only a pod uid, how to
 * find the pod's name from it. Null when the victim ran in no container.
 */
export function workloadStep(outcome: ResponseOutcome): Advice | null {
  const workload = workloadOf(
    outcome.incident.firstKill.container,
    outcome.diagnostics.summary?.containers ?? [],
  );
  if (!workload) return null;
  const commands = workloadCommands(workload);
  if (commands.length === 0) return null;
  return advice(`${lead(workload)}:`, commands);
}

function lead(workload: Workload): string {
  switch (workload.kind) {
    case 'pod':
      return workload.pod
        ? `See ${workloadLabel(workload)} (OOMKilled in its last state) and its logs before the kill`
        : `Find the name of pod ${workload.podUid ?? '?'} from its uid`;
    case 'ecs':
      return `See why ${workloadLabel(workload)} stopped (stoppedReason, each container's reason)`;
    case 'container':
      return `See ${workloadLabel(workload)} (State.OOMKilled, its memory limit)`;
  }
}
