import { formatKiB } from '../../format/bytes';
import type { Evidence, EvidenceKind } from '../evidence';
import { type AnalysisFacts, taskRssKb } from '../facts';
import { who } from '../text';

export interface SizedTask {
  name: string;
  pid: number;
  rssKb: number;
}

/** The kernel's task table by resident memory, largest first (the incident keeps only the largest rows). */
export function largestTasks(facts: AnalysisFacts, limit: number): SizedTask[] {
  const sized: SizedTask[] = [];
  for (const row of facts.kill.tasks) {
    const rssKb = taskRssKb(row, facts.pageKb);
    if (rssKb !== null && rssKb > 0) sized.push({ name: row.name, pid: row.pid, rssKb });
  }
  return sized.sort((a, b) => b.rssKb - a.rssKb || a.pid - b.pid).slice(0, limit);
}

/** `java (pid 31995) 3.4 GiB, java (pid 20608) 740 MiB` */
export function describeTasks(tasks: readonly SizedTask[]): string {
  return tasks.map((task) => `${who(task.name, task.pid)} ${formatKiB(task.rssKb)}`).join(', ');
}

/**
 * One evidence line naming the victim, and the trigger when another task asked for the memory. Context unless
 * who was killed bears on the finding (a JVM's heap, when the JVM was the victim): `kind` says so.
 */
export function victimLines(facts: AnalysisFacts, kind: EvidenceKind = 'context'): Evidence[] {
  const { victim, trigger, kill } = facts;
  const size = victim.rssKb === null ? '' : ` with RSS ${formatKiB(victim.rssKb)}`;
  const adj = kill.oomScoreAdj === null ? '' : `, oom_score_adj ${kill.oomScoreAdj}`;
  const lines: Evidence[] = [{ kind, text: `killed: ${who(victim.name, victim.pid)}${size}${adj}` }];
  if (trigger?.otherProcess) {
    lines.push({
      kind: 'context',
      text: `invoked by ${who(trigger.name, trigger.pid)}, another process: the kernel kills the task with the highest badness score, not the one asking for memory`,
    });
  } else if (trigger) {
    lines.push({
      kind: 'context',
      text: `invoked by ${who(trigger.name, trigger.pid)}; the kernel chose the victim by badness score`,
    });
  }
  return lines;
}
