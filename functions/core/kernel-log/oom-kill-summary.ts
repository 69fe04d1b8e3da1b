/**
 * The one-line summary kernels 4.19+ print before the kill (mm/oom_kill.c `dump_oom_summary`):
 * `oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a/b,task=java,pid=4242,uid=0`
 * A global OOM prints `global_oom` in place of `oom_memcg=...`. Values may hold commas (`mems_allowed=0,2`) and
 * the comm may hold anything, so fields are cut at the known keys rather than split on commas.
 */
export interface OomKillSummaryEvent {
  type: 'summary';
  constraint: string | null;
  oomMemcg: string | null;
  taskMemcg: string | null;
  globalOom: boolean;
  task: string;
  pid: number;
  uid: number | null;
}

const KEYS = [
  'constraint=',
  ',nodemask=',
  ',cpuset=',
  ',mems_allowed=',
  ',oom_memcg=',
  ',task_memcg=',
] as const;

export function parseOomKillSummary(body: string): OomKillSummaryEvent | null {
  const start = body.indexOf('oom-kill:');
  if (start < 0) return null;
  const text = body.slice(start + 9).trimEnd();
  const pidAt = text.lastIndexOf(',pid=');
  const taskAt = pidAt < 0 ? -1 : text.lastIndexOf(',task=', pidAt);
  if (taskAt < 0) return null;
  const pidMatch = /^,pid=(\d{1,10})(?:,uid=(\d{1,10}))?/.exec(text.slice(pidAt));
  if (!pidMatch) return null;
  const head = text.slice(0, taskAt);
  const positions: { key: string; at: number }[] = [];
  let from = 0;
  for (const key of KEYS) {
    const at = head.indexOf(key, from);
    if (at < 0) continue;
    positions.push({ key, at });
    from = at + key.length;
  }
  const globalAt = head.indexOf(',global_oom');
  const value = (key: string): string | null => {
    const index = positions.findIndex((p) => p.key === key);
    const entry = positions[index];
    if (!entry) return null;
    const next = positions[index + 1];
    let end = next ? next.at : head.length;
    if (globalAt > entry.at && globalAt < end) end = globalAt;
    return head.slice(entry.at + key.length, end);
  };
  return {
    type: 'summary',
    constraint: value('constraint='),
    oomMemcg: value(',oom_memcg='),
    taskMemcg: value(',task_memcg='),
    globalOom: globalAt >= 0,
    task: text.slice(taskAt + 6, pidAt),
    pid: Number(pidMatch[1]),
    uid: pidMatch[2] === undefined ? null : Number(pidMatch[2]),
  };
}
