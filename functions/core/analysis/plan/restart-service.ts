import { userManagerOf } from '../../kernel-log/memcg-path';
import { isUnitAllowed } from '../../policy/policy';
import { protectedPatternOf } from '../../policy/protected-units';
import { matchesParameterPattern } from '../../ssm/parameters';
import type { AnalysisFacts } from '../facts';
import type { AnalyzeInput } from '../input';
import type { Decision } from './add-swap';
import { hourlyLimitReason, unresolvedReason } from './gates';

/**
 * Restart the killed systemd service only when the policy enables it, the instance is known, the kill was not
 * in a container (Kubernetes or the runtime restarts those), the unit is a system service (not one of a user's
 * manager) and not a protected one, it is on the allow-list, systemd has not brought it back already, and the
 * hourly limit is not reached. The document checks the unit, its cgroup and its state again.
 */
export function planRestartService(input: AnalyzeInput, facts: AnalysisFacts, nowMs: number): Decision {
  const policy = input.policy.restartService;
  if (!policy.enabled) return { skipped: 'policy: restart-service is off' };
  const unresolved = unresolvedReason(input);
  if (unresolved) return { skipped: unresolved };
  const { kill } = facts;
  if (kill.container?.podUid || (facts.kubernetes && kill.container)) {
    return { skipped: "a Kubernetes pod's container was killed: the kubelet restarts it (restartPolicy)" };
  }
  if (kill.container) {
    const runtime = kill.container.runtime ? `${kill.container.runtime} ` : '';
    return { skipped: `a ${runtime}container was killed: its runtime restarts it (--restart policy)` };
  }
  const unit = kill.systemdUnit;
  if (!unit?.endsWith('.service')) {
    return {
      skipped: unit ? `the victim ran in ${unit}, not a service` : 'the kill named no systemd service',
    };
  }
  const memcgPath = kill.taskMemcg ?? kill.oomMemcg;
  const user = userManagerOf(memcgPath);
  if (user?.manager === unit) {
    return {
      skipped: `${unit} is the user manager of uid ${user.uid}: restarting it would stop all of that user's services; it is never restarted automatically`,
    };
  }
  if (user) {
    return {
      skipped: `${unit} runs under the user manager of uid ${user.uid} (${user.manager}); it is never restarted through the system manager`,
    };
  }
  const protectedBy = protectedPatternOf(unit);
  if (protectedBy) {
    const why = protectedBy === unit ? '' : ` (${protectedBy})`;
    return { skipped: `${unit} is a protected unit${why}: it is never restarted automatically` };
  }
  if (!isUnitAllowed(unit, policy.allowedUnits))
    return { skipped: `${unit} is not in restartService.allowedUnits` };
  const state = input.diagnostics?.unit;
  const known = state && state.name === unit ? state : null;
  const restarts =
    known?.nRestarts === null || known?.nRestarts === undefined ? null : `NRestarts=${known.nRestarts}`;
  if (known?.activeState === 'active' || known?.activeState === 'reloading') {
    return { skipped: `systemd already restarted it${restarts ? ` (${restarts})` : ''}` };
  }
  if (known?.activeState === 'activating') {
    return {
      skipped: `systemd is restarting it (${[known.subState ?? 'activating', restarts].filter(Boolean).join(', ')})`,
    };
  }
  const instanceId = input.incident.instance.instanceId ?? '';
  const limited = hourlyLimitReason(
    input,
    'restart-service',
    instanceId,
    policy.maxPerInstancePerHour,
    nowMs,
  );
  if (limited) return { skipped: limited };
  const details = [known?.result ? `Result=${known.result}` : null, restarts].filter(Boolean).join(', ');
  const now = known
    ? `it is ${known.activeState ?? 'in an unknown state'}${details ? ` (${details})` : ''}`
    : 'its state is unknown (no unit state in the diagnostics); the document restarts it only if it is not active';
  const killer = kill.kind === 'systemd-oomd' ? 'systemd-oomd' : 'the OOM killer';
  return {
    step: {
      action: 'restart-service',
      parameters: { unit, memcgPath: documentMemcgPath(memcgPath), dryRun: String(policy.dryRun) },
      dryRun: policy.dryRun,
      reason: `${policy.dryRun ? 'dry run: would restart' : 'restart'} ${unit}: ${killer} took it, ${now}, and it is on the allow-list`,
    },
  };
}

/** The path as the document takes it; one it would refuse (over 16 components, odd characters) is left out. */
function documentMemcgPath(path: string | null): string {
  return path && matchesParameterPattern('restart-service', 'memcgPath', path) ? path : '';
}
