import { CRITICAL_PROCESSES, CRITICAL_UNITS } from '../../incident/build';
import { advice as adviceOf } from '../advice';
import { context, type Evidence, stated } from '../evidence';
import type { AnalysisFacts } from '../facts';
import type { Advice, FindingDraft } from '../model';
import { who } from '../text';
import { settingSteps } from './unit-hint';

interface Critical {
  /** The kernel's comm (15 bytes at most). */
  comm: string;
  unit: string;
  /** Where the unit is named otherwise, e.g. `ssh.service` on Debian and Ubuntu. */
  aka: string | null;
  impact: string;
}

const CRITICAL: readonly Critical[] = [
  {
    comm: 'sshd',
    unit: 'sshd.service',
    aka: 'ssh.service on Debian and Ubuntu',
    impact: 'SSH access to the instance may be lost',
  },
  {
    comm: 'amazon-ssm-agen',
    unit: 'amazon-ssm-agent.service',
    aka: 'snap.amazon-ssm-agent.amazon-ssm-agent.service on Ubuntu',
    impact: 'Run Command and Session Manager may not reach the instance',
  },
  {
    comm: 'ssm-agent-worke',
    unit: 'amazon-ssm-agent.service',
    aka: null,
    impact: 'SSM commands in flight died',
  },
  {
    comm: 'ssm-session-wor',
    unit: 'amazon-ssm-agent.service',
    aka: null,
    impact: 'a Session Manager session died',
  },
  {
    comm: 'amazon-cloudwat',
    unit: 'amazon-cloudwatch-agent.service',
    aka: null,
    impact: "the instance's metrics and logs stop until the agent is back",
  },
  {
    comm: 'systemd-journal',
    unit: 'systemd-journald.service',
    aka: null,
    impact: 'logging stopped until systemd restarted the journal',
  },
  {
    comm: 'dbus-daemon',
    unit: 'dbus.service',
    aka: null,
    impact: 'services that talk over D-Bus (logind, NetworkManager) fail',
  },
  {
    comm: 'kubelet',
    unit: 'kubelet.service',
    aka: null,
    impact: 'the node goes NotReady and its pods are unmanaged',
  },
  {
    comm: 'containerd',
    unit: 'containerd.service',
    aka: null,
    impact: 'containers on this host lose their runtime',
  },
  { comm: 'dockerd', unit: 'docker.service', aka: null, impact: 'docker containers lose their daemon' },
  {
    comm: 'systemd',
    unit: 'user@<uid>.service',
    aka: null,
    impact: "a user's service manager died (PID 1 is never chosen)",
  },
];

interface Hit {
  critical: Critical;
  name: string;
  pid: number | null;
  unit: string;
  oomd: boolean;
}

/**
 * The OOM killer (or systemd-oomd) took a process that keeps the instance reachable or managed: sshd, the SSM
 * agent, the CloudWatch agent, journald, the container runtime. This is the impact, not the cause: the ranking
 * never makes it the likely cause, but it says how to keep the process out of the killer's reach next time.
 */
export function criticalProcessKilled(facts: AnalysisFacts): FindingDraft | null {
  const hits = criticalHits(facts);
  const first = hits[0];
  if (!first) return null;
  // The kill of each is what the kernel (or systemd-oomd) states; the rest explains it.
  const evidence: Evidence[] = hits.map((hit) =>
    stated(
      `${hit.oomd ? 'systemd-oomd' : 'the OOM killer'} killed ${who(hit.name, hit.pid)}: ${hit.critical.impact}`,
    ),
  );
  const adj = facts.kill.oomScoreAdj;
  if (adj !== null && hits.some((hit) => hit.pid === facts.kill.pid)) {
    evidence.push(
      stated(
        `its oom_score_adj was ${adj}${adj <= -900 ? ': already protected, so little else was left to kill' : ': nothing protected it'}`,
      ),
    );
  }
  if (facts.trigger)
    evidence.push(context(`the memory was asked for by ${who(facts.trigger.name, facts.trigger.pid)}`));
  const unitState = facts.diagnostics?.unit;
  if (unitState && unitState.name === first.unit && unitState.activeState) {
    evidence.push(
      context(
        `${unitState.name} is ${unitState.activeState} now${unitState.nRestarts === null ? '' : ` (NRestarts=${unitState.nRestarts})`}`,
      ),
    );
  }
  const names = [...new Set(hits.map((hit) => hit.name))].join(' and ');
  return {
    family: 'critical-process-killed',
    title: `A critical process was killed: ${names}; ${first.critical.impact}`,
    evidence,
    recommendation: advice(facts, first),
  };
}

function criticalHits(facts: AnalysisFacts): Hit[] {
  const { kill, incident } = facts;
  const hits: Hit[] = [];
  if (kill.kind === 'systemd-oomd') {
    const unit = kill.systemdUnit ?? '';
    const comm = Object.hasOwn(CRITICAL_UNITS, unit) ? CRITICAL_UNITS[unit] : undefined;
    const critical = comm === undefined ? undefined : CRITICAL.find((c) => c.comm === comm);
    if (critical)
      hits.push({ critical: { ...critical, aka: null }, name: unit, pid: null, unit, oomd: true });
  }
  const seen = new Set<string>();
  for (const digest of incident.kills) {
    const comm = digest.process;
    if (comm === null || !CRITICAL_PROCESSES.includes(comm) || seen.has(`${comm}|${digest.pid}`)) continue;
    seen.add(`${comm}|${digest.pid}`);
    const critical = CRITICAL.find((c) => c.comm === comm) ?? genericCritical(comm);
    const unit = digest.systemdUnit?.endsWith('.service') ? digest.systemdUnit : critical.unit;
    hits.push({ critical, name: comm, pid: digest.pid, unit, oomd: false });
  }
  return hits;
}

function genericCritical(comm: string): Critical {
  return { comm, unit: `${comm}.service`, aka: null, impact: 'a process the instance depends on died' };
}

function advice(facts: AnalysisFacts, hit: Hit): Advice {
  const aka = hit.critical.aka ? ` (${hit.critical.aka})` : '';
  if (hit.oomd) {
    const protect = settingSteps(hit.unit, 'ManagedOOMPreference=avoid');
    return adviceOf(
      `Tell systemd-oomd to leave ${hit.unit} alone with ${protect.how}, then fix what caused the pressure (the likely cause):`,
      protect.code,
    );
  }
  const k8s = facts.kubernetes
    ? ' On a Kubernetes node also reserve memory for the system (`--system-reserved`, `--kube-reserved`) and keep `evictionHard memory.available` so the kubelet evicts pods first.'
    : '';
  return adviceOf(
    `Make the OOM killer pick something else: lower ${hit.unit}'s score with a drop-in (it survives package updates; run \`sudo systemctl edit ${hit.unit}\`${aka} and add these lines), restart it so the setting applies, and make sure systemd restarts it after a kill (Restart=on-abort does not):`,
    ['[Service]', 'OOMScoreAdjust=-900', 'Restart=on-failure'],
    `-900 rather than -1000 keeps it killable as a last resort. This protects the instance; the memory problem itself is the likely cause above.${k8s}`,
  );
}
