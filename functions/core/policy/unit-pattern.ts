import { RESTART_SERVICE_PARAMETERS } from '../ssm/parameter-specs';
import { globsOverlap, PROTECTED_UNITS } from './protected-units';

/** The restart document's own unit pattern: a name it would refuse is refused in the policy. */
const SERVICE_UNIT = new RegExp(RESTART_SERVICE_PARAMETERS.unit.pattern);
/** Unit-name characters, with at most one `*` standing for any run of them. */
const UNIT_GLOB = /^[A-Za-z0-9:_.@*-]{1,255}$/;
const HOW = 'write a unit name such as myapp-web.service, or a family with one * such as myapp-*.service';

/**
 * Why an `allowedUnits` entry is refused, or null when it is a valid one: a `.service` name, or a family of them
 * with one `*` (`myapp-*.service`, `worker@*.service`), that cannot match a protected unit. Each message says how
 * to write a valid entry, as an operator reads it at `cdk synth` or in the CLI.
 */
export function unitPatternProblem(pattern: string): string | null {
  const shown = JSON.stringify(pattern);
  if (pattern === '*' || pattern === '*.service')
    return `${shown} would allow every service on the host, systemd's own included; ${HOW}`;
  if (!UNIT_GLOB.test(pattern))
    return `${shown} is not a unit name (letters, digits and : _ . @ - only, at most 255); ${HOW}`;
  const stars = pattern.split('*').length - 1;
  if (stars > 1) return `${shown} has ${stars} *s, a pattern may have one; ${HOW}`;
  if (pattern.endsWith('.scope'))
    return `${shown} is a scope: systemd cannot restart a scope (it only groups processes started elsewhere); allow the .service that runs the program instead; ${HOW}`;
  if (!pattern.endsWith('.service')) return `${shown} does not end in .service; ${HOW}`;
  const example = pattern.replace('*', 'x');
  if (!SERVICE_UNIT.test(example))
    return `${shown} is not a service restart-service accepts (a bare template such as foo@.service, or a name that starts or ends oddly); ${HOW}`;
  const hit = PROTECTED_UNITS.filter((protectedUnit) => globsOverlap(pattern, protectedUnit));
  if (hit.length === 0) return null;
  if (!pattern.includes('*') && hit.length === 1)
    return `${shown} is a protected unit (${hit[0]}): it is never restarted automatically, whatever the policy says; remove it`;
  const userManager = hit.includes('user@*.service')
    ? ', a user manager (user@<uid>.service) among them'
    : '';
  return `${shown} could match protected units (${hit.join(', ')})${userManager}, which are never restarted automatically; give the family a prefix of its own: ${HOW}`;
}
