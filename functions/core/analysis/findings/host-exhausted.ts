import { diagnosisRelation } from '../../diagnostics/diagnosis-time';
import { formatKiB } from '../../format/bytes';
import { isNamed, workloadLabel, workloadOf } from '../../workload';
import { advice } from '../advice';
import { context, type Evidence, stated } from '../evidence';
import type { AnalysisFacts } from '../facts';
import type { Advice, FindingDraft } from '../model';
import { configSize } from '../text';
import { diagnosisAnswers } from './diagnosis-answers';
import { hostHourEvidence } from './hour-before';
import { nextInstanceSize } from './instance-size';
import { oomdAdvice, oomdRuleOf } from './oomd-steps';
import { describeTasks, largestTasks } from './tasks';
import { serviceOf, unitLookup } from './unit-hint';

/**
 * The whole host ran out of memory (a global OOM, no cgroup limit involved), or systemd-oomd killed a unit under
 * memory pressure before the kernel had to. That much is certain ("What happened" says it); the hypothesis here
 * is the generic one: the host is too small for its load, or something on it grew. A root-cause finding
 * outranks it when one holds.
 */
export function hostExhausted(facts: AnalysisFacts): FindingDraft | null {
  if (facts.scope === 'oomd') return oomdPressure(facts);
  if (facts.scope !== 'host') return null;
  const { kill, ramKb } = facts;
  const evidence: Evidence[] = [
    stated(
      `global OOM${kill.constraint ? ` (${kill.constraint})` : ''}: no cgroup limit was involved, the host had no memory left`,
    ),
  ];
  evidence.push(...hostHourEvidence(facts.timeline));
  if (ramKb !== null) evidence.push(context(`RAM ${formatKiB(ramKb)}${swapText(facts)}`));
  const top = largestTasks(facts, 3);
  const largest = top[0];
  if (largest && ramKb !== null && largest.rssKb >= ramKb * 0.5) {
    // One task holding half the host is "something grew" in the kernel's own table.
    evidence.push(
      stated(
        `${largest.name} (pid ${largest.pid}) held ${formatKiB(largest.rssKb)}, ${Math.round((largest.rssKb / ramKb) * 100)}% of RAM, in the kernel's table`,
      ),
    );
  }
  if (top.length > 0) evidence.push(context(`largest tasks in the kernel's table: ${describeTasks(top)}`));
  evidence.push(...availableLine(facts).map(context));
  const held = largest ? `: the largest task, ${largest.name}, held ${formatKiB(largest.rssKb)}` : '';
  return {
    family: 'host-exhausted',
    title: `The host is too small for what runs on it, or something on it grew${held}`,
    evidence,
    recommendation: recommendation(
      facts,
      top[0]?.name ?? facts.victim.name,
      top[0]?.rssKb ?? facts.victim.rssKb,
    ),
  };
}

/**
 * What the host had free at diagnosis, against the diagnostics' own MemTotal: only when they describe the kill's
 * boot and kernel. A replayed sample's MemAvailable is another host's (22 GiB "of" a report's 8 GiB RAM).
 */
function availableLine(facts: AnalysisFacts): string[] {
  const diagnostics = facts.diagnostics;
  if (!diagnostics || diagnosisRelation(facts.kill, diagnostics).notAboutThisKill !== null) return [];
  const { availableKb, totalKb } = diagnostics.memory;
  if (availableKb === null || totalKb === null) return [];
  return [`after the kill: MemAvailable ${formatKiB(availableKb)} of ${formatKiB(totalKb)}`];
}

function swapText(facts: AnalysisFacts): string {
  const { swap } = facts;
  if (swap === null) return '';
  if (swap.totalKb === 0) return ', no swap';
  const free = swap.freeKb === null ? '' : `, ${formatKiB(swap.freeKb)} free`;
  return `, swap ${formatKiB(swap.totalKb)}${free}`;
}

function recommendation(facts: AnalysisFacts, largest: string, largestKb: number | null): Advice {
  const { ramKb, diagnostics, incident, kill } = facts;
  const type = incident.instance.instanceType ?? diagnostics?.instanceType ?? null;
  const bigger = type ? nextInstanceSize(type) : null;
  const resize = bigger
    ? ` or move to ${bigger} (twice the memory of ${type})`
    : ' or move to a larger instance type';
  const prevent = `If the load is legitimate, add memory${resize}. Prevent: the stack's early-warning alarm watches each instance's mem_available_percent (at or below 10% by default) before the OOM killer acts; it needs the shipped agent configuration, with its metrics, on this instance.`;
  // What the diagnostics already ran is shown, not asked for again.
  const answers = diagnosisAnswers(facts);
  const find = answers.largestProcesses
    ? `Find what grew: ${answers.largestProcesses} (\`smem -tk\` splits shared memory).`
    : 'Find what grew (`ps aux --sort=-rss | head`, `smem -tk`).';
  const counted = answers.processCounts
    ? `Look for a worker pool grown too large (${answers.processCounts})`
    : 'Count processes by name (`ps -e --no-headers -o comm | sort | uniq -c | sort -rn | head`) for a worker pool grown too large';
  const outside = answers.memoryOutsideProcesses
    ? `look outside processes (${answers.memoryOutsideProcesses}; \`df -h -t tmpfs\`)`
    : "look outside processes (`grep -E 'Shmem|Slab|SUnreclaim' /proc/meminfo`, `df -h -t tmpfs`)";
  const victimIsLargest = largest === facts.victim.name;
  const workload = workloadOf(kill.container, facts.diagnostics?.containers ?? []);
  if (victimIsLargest && workload) {
    const where = isNamed(workload) ? workloadLabel(workload) : `${largest}'s container`;
    return advice(
      `${find} Give ${where} a memory limit (see the container finding) so it is killed alone next time. ${prevent}`,
    );
  }
  // A cap at 75% of RAM on a process that held a sliver of it would change nothing (an 8 MiB apache worker on a
  // 24 GiB host): the memory was in many processes, or outside processes altogether.
  if (ramKb !== null && largestKb !== null && largestKb < ramKb * 0.1) {
    return advice(
      `${find} No single process held much: the largest, ${largest}, had ${formatKiB(largestKb)} of ${formatKiB(ramKb)}. ${counted}, and ${outside}. ${prevent}`,
    );
  }
  // systemd reads a percentage as a share of physical memory: usable when the report printed no RAM size.
  const cap = ramKb === null ? '75%' : configSize(ramKb * 0.75, 'systemd');
  const unit = victimIsLargest ? serviceOf(kill) : null;
  const edit = unit
    ? `run \`sudo systemctl edit ${unit}\``
    : `${unitLookup(largest)} run \`sudo systemctl edit\` on that unit`;
  return advice(
    `${find} Cap the largest consumer (${largest}) so it cannot take the whole host, e.g. with a drop-in (${edit} and add these lines):`,
    ['[Service]', `MemoryMax=${cap}`],
    prevent,
  );
}

/**
 * systemd-oomd killed a unit: the certain part (which unit, by which rule) is "What happened"; the hypothesis is
 * that the workloads under the monitored cgroup need more memory than they get, or its limit is tighter than
 * they tolerate. The advice is oomd's own levers, not a cgroup memory limit.
 */
function oomdPressure(facts: AnalysisFacts): FindingDraft {
  const { kill } = facts;
  const unit = kill.systemdUnit ?? facts.victim.name;
  const rule = oomdRuleOf(kill.reason);
  const evidence: Evidence[] = [];
  if (kill.reason) evidence.push(stated(`systemd-oomd's rule: ${kill.reason}`));
  const candidate = kill.oomdCandidate;
  if (candidate?.memoryUsageKb !== null && candidate?.memoryUsageKb !== undefined) {
    const of = candidate.considered === null ? '' : ` of the ${candidate.considered} cgroups it considered`;
    evidence.push(
      stated(
        `systemd-oomd chose ${unit}${of}: Current Memory Usage ${formatKiB(candidate.memoryUsageKb)}${candidate.pressureAvg10 === null ? '' : `, pressure avg10 ${candidate.pressureAvg10}%`}`,
      ),
    );
  }
  evidence.push(
    context('the kernel OOM killer did not run: systemd-oomd acts earlier, on memory pressure or swap use'),
  );
  const where = rule.monitored ?? 'the monitored cgroup';
  return {
    family: 'host-exhausted',
    title:
      rule.kind === 'swap'
        ? "The host runs with too little memory and swap for its load: swap filled past systemd-oomd's limit"
        : `The workloads in ${where} need more memory than they get, or its memory pressure limit is tighter than they tolerate`,
    evidence,
    recommendation: oomdAdvice(unit, rule),
  };
}
