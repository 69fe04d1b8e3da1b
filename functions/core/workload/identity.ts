import type { ContainerInfo } from '../diagnostics/model';
import type { ContainerRef } from '../kernel-log';

/**
 * Whose workload a killed task was, in the names on-call types: a Kubernetes pod, an ECS task, or a plain
 * container. The kernel's cgroup path gives only ids; the diagnostics' container list (the kubelet's log links,
 * docker's config.v2.json and its labels) gives the names. Every name the host did not tell is null.
 */
export type Workload = PodWorkload | EcsWorkload | ContainerWorkload;

export interface PodWorkload {
  kind: 'pod';
  namespace: string | null;
  pod: string | null;
  container: string | null;
  podUid: string | null;
  /** The container's runtime id (64 hex), when the cgroup path named one. */
  containerId: string | null;
}

export interface EcsWorkload {
  kind: 'ecs';
  cluster: string | null;
  family: string | null;
  revision: string | null;
  container: string | null;
  taskArn: string | null;
  /** Docker's own name for the container (`ecs-orders-42-web-...`), what `docker inspect` takes. */
  dockerName: string | null;
  containerId: string | null;
}

export interface ContainerWorkload {
  kind: 'container';
  runtime: string | null;
  name: string | null;
  image: string | null;
  containerId: string | null;
}

/** The victim's workload: its container ref from the kernel's cgroup path, named from the diagnostics. */
export function workloadOf(
  ref: Readonly<ContainerRef> | null,
  containers: readonly ContainerInfo[] = [],
): Workload | null {
  if (!ref) return null;
  const byId = ref.id === null ? undefined : containers.find((c) => sameContainerId(c.id, ref.id ?? ''));
  const byPod =
    byId ?? (ref.podUid ? containers.find((c) => c.kubernetes?.podUid === ref.podUid) : undefined);
  const known = byId ?? null;
  if (known?.ecs) {
    const { ecs } = known;
    return { kind: 'ecs', ...ecs, dockerName: known.name, containerId: known.id };
  }
  const kube = byId?.kubernetes ?? byPod?.kubernetes ?? null;
  if (ref.podUid || kube) {
    return {
      kind: 'pod',
      namespace: kube?.namespace ?? null,
      pod: kube?.pod ?? null,
      // A sibling in the same pod tells the pod, never which container the victim was.
      container: byId ? (kube?.container ?? null) : null,
      podUid: ref.podUid ?? kube?.podUid ?? null,
      containerId: ref.id,
    };
  }
  return {
    kind: 'container',
    runtime: ref.runtime ?? known?.runtime ?? null,
    name: known?.name ?? null,
    image: known?.image ?? null,
    containerId: ref.id,
  };
}

/** One id is a prefix of the other (a 12-hex short id against the 64-hex one), and both are long enough to tell. */
export function sameContainerId(a: string, b: string): boolean {
  if (a.length < 12 || b.length < 12) return false;
  return a.startsWith(b) || b.startsWith(a);
}
