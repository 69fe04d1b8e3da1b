import { advice } from '../analysis/advice';
import type { Advice } from '../analysis/model';
import { diagnosisRelation } from '../diagnostics/diagnosis-time';
import { formatLimitBytes, isUnlimitedBytes } from '../format/limits';
import type { ResponseOutcome } from '../incident/outcome';
import { sameContainerId, type Workload, workloadCommands, workloadLabel, workloadOf } from '../workload';

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
  return advice(`${lead(workload, limitAtDiagnosis(outcome))}:`, commands);
}

/**
 * The container's memory limit as the diagnostics read it (`at diagnosis 18:28:16: no memory limit`): the answer
 * `docker inspect` would give, so the step asks only for what they did not read. Null when they hold none, or
 * describe another boot or kernel.
 */
function limitAtDiagnosis(outcome: ResponseOutcome): string | null {
  const summary = outcome.diagnostics.summary;
  const kill = outcome.incident.firstKill;
  const id = kill.container?.id;
  if (!summary || !id) return null;
  const relation = diagnosisRelation(kill, summary);
  if (relation.notAboutThisKill) return null;
  const info = summary.containers.find((container) => sameContainerId(container.id, id));
  if (!info) return null;
  const bytes = info.memoryLimitBytes;
  const limit =
    bytes === null || isUnlimitedBytes(bytes) ? 'no memory limit' : `memory limit ${formatLimitBytes(bytes)}`;
  return `at diagnosis${relation.at ? ` ${relation.at}` : ''}: ${limit}`;
}

function lead(workload: Workload, limit: string | null): string {
  switch (workload.kind) {
    case 'pod':
      return workload.pod
        ? `See ${workloadLabel(workload)} (OOMKilled in its last state) and its logs before the kill`
        : `Find the name of pod ${workload.podUid ?? '?'} from its uid`;
    case 'ecs':
      return `See why ${workloadLabel(workload)} stopped (stoppedReason, each container's reason)`;
    case 'container':
      return `See ${workloadLabel(workload)} (State.OOMKilled${limit ? `; ${limit}` : ', its memory limit'})`;
  }
}
