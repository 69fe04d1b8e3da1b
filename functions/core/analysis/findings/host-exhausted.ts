import { diagnosisRelation } from '../../diagnostics/diagnosis-time';
import { formatKiB } from '../../format/bytes';
import { isNamed, workloadLabel, workloadOf } from '../../workload';
import { advice } from '../advice';
import type { AnalysisFacts } from '../facts';
import type { Advice, Finding } from '../model';
import { configSize } from '../text';
import { nextInstanceSize } from './instance-size';
import { describeTasks, largestTasks, victimLines } from './tasks';
import { serviceOf, settingSteps, unitLookup } from './unit-hint';

/**
 * The whole host ran out of memory (a global OOM, no cgroup limit involved), or systemd-oomd killed a unit under
 * memory pressure before the kernel had to. This is the mechanism; a root-cause finding outranks it when one holds.
 */
export function hostExhausted(facts: AnalysisFacts): Finding | null {
  if (facts.scope === 'oomd') return oomdPressure(facts);
  if (facts.scope !== 'host') return null;
  const { kill, ramKb, swap } = facts;
  const evidence = [
    `global OOM${kill.constraint ? ` (${kill.constraint})` : ''}: no cgroup limit was involved, the host had no memory left`,
  ];
  if (ramKb !== null) evidence.push(`RAM ${formatKiB(ramKb)}${swapText(facts)}`);
  evidence.push(...victimLines(facts));
  const top = largestTasks(facts, 3);
  if (top.length > 0) evidence.push(`largest tasks in the kernel's table: ${describeTasks(top)}`);
  evidence.push(...availableLine(facts));
  const swapWord =
    swap === null ? '' : swap.totalKb === 0 ? ' and no swap' : ` and ${formatKiB(swap.totalKb)} swap`;
  const ram = ramKb === null ? '' : ` (${formatKiB(ramKb)} RAM${swapWord})`;
  return {
    family: 'host-exhausted',
    title: `The whole host ran out of memory${ram}; ${facts.victim.name} was killed to free it`,
    confidence: ramKb === null ? 0.55 : 0.6,
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
  const prevent = `If the load is legitimate, add memory${resize}. Prevent: alarm on the CloudWatch agent's mem_used_percent (e.g. > 90% for 5 minutes) to act before the OOM killer does.`;
  const find = 'Find what grew (`ps aux --sort=-rss | head`, `smem -tk`).';
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
      `${find} No single process held much: the largest, ${largest}, had ${formatKiB(largestKb)} of ${formatKiB(ramKb)}. Count processes by name (\`ps -e --no-headers -o comm | sort | uniq -c | sort -rn | head\`) for a worker pool grown too large, and look outside processes (\`grep -E 'Shmem|Slab|SUnreclaim' /proc/meminfo\`, \`df -h -t tmpfs\`). ${prevent}`,
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

function oomdPressure(facts: AnalysisFacts): Finding {
  const { kill } = facts;
  const unit = kill.systemdUnit ?? facts.victim.name;
  const evidence = [`systemd-oomd killed ${unit}${kill.taskMemcg ? ` (${kill.taskMemcg})` : ''}`];
  if (kill.reason) evidence.push(`reason: ${kill.reason}`);
  evidence.push(
    'the kernel OOM killer did not run: systemd-oomd acts earlier, on memory pressure or swap use',
  );
  const protect = settingSteps(unit, 'ManagedOOMPreference=avoid');
  return {
    family: 'host-exhausted',
    title: `systemd-oomd killed ${unit} under memory pressure`,
    confidence: 0.55,
    evidence,
    recommendation: advice(
      `Find what drove the pressure (\`oomctl\`, \`systemd-cgtop -m\`) and cap it with \`MemoryHigh=\`/\`MemoryMax=\` in its unit. If ${unit} must not be chosen, protect it with ${protect.how}:`,
      protect.code,
      `Or relax the slice's \`ManagedOOMMemoryPressureLimit=\` if the pressure is expected.`,
    ),
  };
}
