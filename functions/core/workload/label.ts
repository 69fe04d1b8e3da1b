import type { Workload } from './identity';

/** Runtime ids are shown as docker does by default: the first 12 hex digits. */
export const SHORT_ID_LENGTH = 12;

const shortId = (id: string | null): string | null => (id ? id.slice(0, SHORT_ID_LENGTH) : null);

/**
 * The workload as on-call names it: `pod payments/api-7d9f (container api)`, `ECS task orders:42 (container web)`,
 * `docker container redis (image redis:7)`; ids (12 hex) only where no name is known.
 */
export function workloadLabel(workload: Workload): string {
  switch (workload.kind) {
    case 'pod': {
      const pod = workload.pod
        ? `pod ${workload.namespace ? `${workload.namespace}/` : ''}${workload.pod}`
        : `pod ${workload.podUid ?? shortId(workload.containerId) ?? '(unnamed)'}`;
      return workload.container ? `${pod} (container ${workload.container})` : pod;
    }
    case 'ecs': {
      const task = `ECS task ${workload.family ?? '?'}${workload.revision ? `:${workload.revision}` : ''}`;
      return workload.container ? `${task} (container ${workload.container})` : task;
    }
    case 'container': {
      const runtime = workload.runtime ?? 'a';
      const name = workload.name ?? shortId(workload.containerId) ?? '(unnamed)';
      return `${runtime} container ${name}${workload.image ? ` (image ${workload.image})` : ''}`;
    }
  }
}

/** Whether the host told a name for it (a pod's, an ECS task's, a container's), not only ids. */
export function isNamed(workload: Workload): boolean {
  if (workload.kind === 'pod') return workload.pod !== null;
  if (workload.kind === 'ecs') return workload.family !== null;
  return workload.name !== null;
}

/** What a command takes for the container: its name where known, else its short id. */
export function containerTarget(workload: Workload): string | null {
  if (workload.kind === 'ecs') return workload.dockerName ?? shortId(workload.containerId);
  if (workload.kind === 'container') return workload.name ?? shortId(workload.containerId);
  return shortId(workload.containerId);
}

const FULL_ID = /[0-9a-f]{64}/g;
const POD_UID = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/g;

/**
 * A cgroup path as a person reads it: the victim's container id replaced by its name (`docker-[redis].scope`)
 * and its pod uid by the pod's name (`pod[payments/api-7d9f]`), other 64-hex ids cut to 12. Brackets mark what is
 * not literally the path; the literal path stays in the kernel log.
 */
export function readableCgroupPath(path: string, workload: Workload | null): string {
  const name = workload ? containerName(workload) : null;
  const id = workload?.containerId ?? null;
  const pod =
    workload?.kind === 'pod' && workload.pod
      ? `${workload.namespace ? `${workload.namespace}/` : ''}${workload.pod}`
      : null;
  return path
    .replace(FULL_ID, (hex) => (name && hex === id ? `[${name}]` : `${hex.slice(0, SHORT_ID_LENGTH)}…`))
    .replace(POD_UID, (whole, uid: string) =>
      pod && workload?.kind === 'pod' && uid.replace(/_/g, '-') === workload.podUid ? `pod[${pod}]` : whole,
    );
}

function containerName(workload: Workload): string | null {
  if (workload.kind === 'container') return workload.name;
  return workload.container;
}
