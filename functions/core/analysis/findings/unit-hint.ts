import { systemdUnitOf } from '../../kernel-log/memcg-path';

/**
 * The service a drop-in goes into, from what the kill names (its unit, or the `.service` in its cgroup path);
 * null when neither names one: then `unitLookup` says how to find it, as a dead pid has no unit to ask about.
 */
export function serviceOf(kill: { systemdUnit: string | null; taskMemcg: string | null }): string | null {
  const unit = kill.systemdUnit ?? systemdUnitOf(kill.taskMemcg);
  return unit?.endsWith('.service') ? unit : null;
}

/** How to find the unit of a process that was killed: a surviving one of the same name, or the cgroup tree. */
export function unitLookup(name: string): string {
  const comm = name.replace(/[^\w.:@-]/g, '').slice(0, 15) || 'NAME';
  return `find its unit first (\`ps -o unit= -C ${comm}\` for a surviving process of that name, or \`systemd-cgls --no-pager\`), then`;
}
