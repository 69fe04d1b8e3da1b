import { advice } from '../advice';
import type { Advice } from '../model';
import { settingSteps } from './unit-hint';

/**
 * systemd-oomd's own levers, for the finding (analysis) and for the next step without one (a preview): what it
 * watches (`oomctl`), the unit's protection (a drop-in, or a property of a transient scope), and the rule on the
 * monitored slice. Never a cgroup memory limit: oomd acts on pressure or swap, before any limit is reached.
 */

export interface OomdRule {
  kind: 'pressure' | 'swap' | 'unknown';
  /** The cgroup systemd-oomd watched (`/system.slice`), from its reason; null when the reason does not say. */
  monitored: string | null;
}

/** `memory pressure for /system.slice being 85.03% > 80.00% ...` or `memory used (...) ... and swap used ...`. */
export function oomdRuleOf(reason: string | null): OomdRule {
  if (reason === null) return { kind: 'unknown', monitored: null };
  const pressure = /^memory pressure for (\/\S*) being/.exec(reason);
  if (pressure) return { kind: 'pressure', monitored: pressure[1] ?? null };
  return { kind: reason.includes('swap used') ? 'swap' : 'unknown', monitored: null };
}

/** The unit that owns a cgroup path: its last component (`/user.slice/user-1000.slice` -> `user-1000.slice`). */
function unitOfPath(path: string): string {
  return path.split('/').filter(Boolean).at(-1) ?? path;
}

/**
 * systemd-oomd's own levers: what it watches (`oomctl`), the unit's protection (a drop-in, or a property of a
 * transient scope), and the rule on the monitored slice.
 */
export function oomdAdvice(unit: string, rule: OomdRule): Advice {
  const slice = rule.monitored ? unitOfPath(rule.monitored) : '<the monitored slice>';
  const protect = settingSteps(unit, 'ManagedOOMPreference=avoid');
  const relax =
    rule.kind === 'swap'
      ? `If swap use is expected, raise \`SwapUsedLimit=\` in /etc/systemd/oomd.conf, or set \`ManagedOOMSwap=auto\` on ${slice} to stop oomd acting on swap there; better, add memory.`
      : `If the pressure is expected, relax the rule on ${slice}: \`sudo systemctl edit ${slice}\`, then \`ManagedOOMMemoryPressureLimit=\` (e.g. 80%) under ${slice.endsWith('.service') ? '[Service]' : '[Slice]'}; \`ManagedOOMSwap=\` is the swap rule's switch.`;
  return advice(
    `See what systemd-oomd monitors and the pressure it reads now: \`oomctl\`; who holds the memory: \`systemd-cgtop -m\`. If ${unit} must not be chosen again (\`omit\` instead of \`avoid\` excludes it entirely), protect it with ${protect.how}:`,
    protect.code,
    relax,
  );
}
