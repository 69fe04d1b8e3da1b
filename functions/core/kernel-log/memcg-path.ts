import type { ContainerRef } from './types';

/**
 * What a memory cgroup path says about the victim: its systemd unit and its container. Paths come in the
 * cgroupfs and systemd drivers' spellings:
 * - `/docker/<64 hex>`, `/system.slice/docker-<64 hex>.scope`
 * - `/kubepods/burstable/pod<uid>/<64 hex>`, `/kubepods.slice/kubepods-burstable.slice/
 *   kubepods-burstable-pod<uid with _>.slice/cri-containerd-<64 hex>.scope` (also `crio-`, `docker-`)
 * - `/machine.slice/libpod-<64 hex>.scope` (podman), `/system.slice/mysql.service`
 */
const SCOPE_RUNTIMES: readonly [prefix: string, runtime: string][] = [
  ['docker-', 'docker'],
  ['cri-containerd-', 'containerd'],
  ['crio-', 'cri-o'],
  ['libpod-', 'podman'],
];
const CONTAINER_ID = /^[0-9a-f]{12,64}$/;

/** The deepest `*.service` or `*.scope` component: the unit systemd would report for this cgroup. */
export function systemdUnitOf(path: string | null): string | null {
  if (!path) return null;
  const parts = path.split('/');
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i] ?? '';
    if (part.endsWith('.service') || part.endsWith('.scope')) return part;
  }
  return null;
}

export interface UserManagerRef {
  uid: number;
  /** The user manager's own unit in the system manager, `user@<uid>.service`. */
  manager: string;
}

const USER_MANAGER = /^user@(\d{1,10})\.service$/;

/**
 * The per-user systemd manager a cgroup runs under, or null. Its services (`systemctl --user`) live below
 * `user@<uid>.service`, spelt the same on cgroup v2 and on v1 hierarchies that mirror systemd's tree:
 * `/user.slice/user-1000.slice/user@1000.service/app.slice/myapp-web.service`. A v1 memory hierarchy that stops at
 * `/user.slice` (no memory accounting below it) does not say.
 */
export function userManagerOf(path: string | null): UserManagerRef | null {
  if (!path) return null;
  const parts = path.split('/');
  for (const part of parts) {
    const match = USER_MANAGER.exec(part);
    if (match?.[1]) return { uid: Number(match[1]), manager: part };
  }
  return null;
}

export function containerOf(path: string | null): ContainerRef | null {
  if (!path) return null;
  const parts = path.split('/').filter((part) => part.length > 0);
  let podUid: string | null = null;
  let runtime: string | null = null;
  let id: string | null = null;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const pod = /(?:^|-)pod([0-9a-f_-]{32,36})(?:\.slice)?$/.exec(part);
    if (pod?.[1] && parts.slice(0, i).some((p) => p.startsWith('kubepods'))) {
      podUid = pod[1].replace(/_/g, '-');
      continue;
    }
    const scoped = SCOPE_RUNTIMES.find(([prefix]) => part.startsWith(prefix) && part.endsWith('.scope'));
    if (scoped) {
      const candidate = part.slice(scoped[0].length, -'.scope'.length);
      if (CONTAINER_ID.test(candidate)) {
        runtime = scoped[1];
        id = candidate;
      }
      continue;
    }
    if (CONTAINER_ID.test(part) && part.length === 64) {
      id = part;
      if (parts[i - 1] === 'docker') runtime = 'docker';
    }
  }
  if (!id && !podUid) return null;
  return { runtime, id, podUid };
}

export interface CgroupFacts {
  systemdUnit: string | null;
  container: Readonly<ContainerRef> | null;
}

const NO_FACTS: CgroupFacts = Object.freeze({ systemdUnit: null, container: null });
/** Facts by path: a batch repeats a few cgroup paths thousands of times. Bounded, as a Lambda container lives long. */
const factsByPath = new Map<string, CgroupFacts>();
const MAX_CACHED_PATHS = 1024;

/** The unit and container a victim's cgroup path names; the result is shared and frozen. */
export function cgroupFactsOf(path: string | null): CgroupFacts {
  if (!path) return NO_FACTS;
  let facts = factsByPath.get(path);
  if (facts) return facts;
  const container = containerOf(path);
  facts = Object.freeze({
    systemdUnit: systemdUnitOf(path),
    container: container && Object.freeze(container),
  });
  if (factsByPath.size >= MAX_CACHED_PATHS) factsByPath.clear();
  factsByPath.set(path, facts);
  return facts;
}
