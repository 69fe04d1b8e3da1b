import { systemdUnitOf } from '../../kernel-log/memcg-path';

/**
 * The service a drop-in goes into, from what the kill names (its unit, or the `.service` in its cgroup path);
 * null when neither names one: then `unitLookup` says how to find it, as a dead pid has no unit to ask about.
 */
export function serviceOf(kill: { systemdUnit: string | null; taskMemcg: string | null }): string | null {
  const unit = kill.systemdUnit ?? systemdUnitOf(kill.taskMemcg);
  return unit?.endsWith('.service') ? unit : null;
}

/**
 * How to set one resource-control setting (`ManagedOOMPreference=avoid`) on a unit: a drop-in's section for a
 * service or a slice (`systemctl edit` writes it), `systemctl set-property` for a scope, which is transient and
 * has no unit file a drop-in would extend.
 */
export function settingSteps(unit: string, setting: string): { how: string; code: string[] } {
  if (unit.endsWith('.scope')) {
    return {
      how: 'a property of the scope (transient: no unit file for a drop-in to extend; set it again when the scope is created anew)',
      code: [`sudo systemctl set-property ${unit} ${setting}`],
    };
  }
  const section = unit.endsWith('.slice') ? '[Slice]' : '[Service]';
  return {
    how: `a drop-in (run \`sudo systemctl edit ${unit}\` and add these lines)`,
    code: [section, setting],
  };
}

/** How to find the unit of a process that was killed: a surviving one of the same name, or the cgroup tree. */
export function unitLookup(name: string): string {
  const comm = name.replace(/[^\w.:@-]/g, '').slice(0, 15) || 'NAME';
  return `find its unit first (\`ps -o unit= -C ${comm}\` for a surviving process of that name, or \`systemd-cgls --no-pager\`), then`;
}
