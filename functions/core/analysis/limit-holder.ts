import { systemdUnitOf } from '../kernel-log/memcg-path';

/**
 * The memory cgroup whose limit was hit (`oom_memcg=`, or `limit of` before 4.19), which may be a parent of the
 * victim's (`task_memcg=`): the limit to raise is on it, so advice names it and, when it is a systemd unit (a
 * service, scope or slice whose cgroup it is), the unit to give a drop-in.
 */
export interface LimitHolder {
  /** The cgroup path at its limit, or null when the report named none. */
  path: string | null;
  /** The unit that owns exactly that cgroup (`app.service`, `app.slice`, `session-3.scope`), else null. */
  unit: string | null;
  /** The victim's own unit, from its cgroup path or the report. */
  victimUnit: string | null;
  /** Whether the limit sits on a parent of the victim's cgroup. */
  parent: boolean;
}

export interface MemcgPaths {
  oomMemcg: string | null;
  taskMemcg: string | null;
  systemdUnit: string | null;
}

export function limitHolderOf(kill: MemcgPaths): LimitHolder {
  const path = kill.oomMemcg ?? kill.taskMemcg;
  const victimUnit = kill.systemdUnit ?? systemdUnitOf(kill.taskMemcg);
  const parent = kill.oomMemcg !== null && kill.taskMemcg !== null && kill.oomMemcg !== kill.taskMemcg;
  return { path, unit: ownUnitOf(path), victimUnit, parent };
}

/** The unit whose cgroup is exactly this path: its last component, when that is a service, scope or slice. */
export function ownUnitOf(path: string | null): string | null {
  if (!path) return null;
  const last =
    path
      .split('/')
      .filter((part) => part.length > 0)
      .pop() ?? '';
  return /\.(?:service|scope|slice)$/.test(last) && last !== '-.slice' ? last : null;
}

/** `app.slice, the parent of app.service`, or just the unit/path when the limit is the victim's own. */
export function describeHolder(holder: LimitHolder): string {
  const name = holder.unit ?? (holder.path ? `cgroup ${holder.path}` : 'its memory cgroup');
  if (!holder.parent) return name;
  const child = holder.victimUnit && holder.victimUnit !== holder.unit ? holder.victimUnit : null;
  return child ? `${name}, the parent of ${child}` : `${name} (a parent of the victim's cgroup)`;
}
