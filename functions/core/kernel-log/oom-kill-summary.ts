import { digitsEnd, integerIn } from './scan';

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
const CONSTRAINT = 0;
const OOM_MEMCG = 4;
const TASK_MEMCG = 5;
/** Where each key starts in the line being parsed (-1: absent); reused, as parsing is synchronous. */
const keyStarts = new Int32Array(KEYS.length);

export function parseOomKillSummary(body: string): OomKillSummaryEvent | null {
  const marker = body.indexOf('oom-kill:');
  if (marker < 0) return null;
  const start = marker + 9;
  const end = body.trimEnd().length;
  const pidAt = body.lastIndexOf(',pid=', end - 5);
  if (pidAt < start) return null;
  const taskAt = body.lastIndexOf(',task=', pidAt);
  if (taskAt < start) return null;
  const pidEnd = digitsEnd(body, pidAt + 5, 10);
  if (pidEnd === pidAt + 5) return null;
  let uid: number | null = null;
  if (body.startsWith(',uid=', pidEnd)) {
    const uidEnd = digitsEnd(body, pidEnd + 5, 10);
    if (uidEnd > pidEnd + 5) uid = integerIn(body, pidEnd + 5, uidEnd);
  }
  // Everything before `,task=` holds the keys, in the kernel's order.
  let from = start;
  for (let k = 0; k < KEYS.length; k++) {
    const key = KEYS[k] as string;
    const at = body.indexOf(key, from);
    if (at >= 0 && at + key.length <= taskAt) {
      keyStarts[k] = at;
      from = at + key.length;
    } else {
      keyStarts[k] = -1;
    }
  }
  const global = body.indexOf(',global_oom', start);
  const globalAt = global >= 0 && global + 11 <= taskAt ? global : -1;
  return {
    type: 'summary',
    constraint: summaryValue(body, CONSTRAINT, taskAt, globalAt),
    oomMemcg: summaryValue(body, OOM_MEMCG, taskAt, globalAt),
    taskMemcg: summaryValue(body, TASK_MEMCG, taskAt, globalAt),
    globalOom: globalAt >= 0,
    task: body.slice(taskAt + 6, pidAt),
    pid: integerIn(body, pidAt + 5, pidEnd),
    uid,
  };
}

/** A key's value runs to the next key present (or `,task=`), and stops short of `,global_oom`. */
function summaryValue(body: string, k: number, taskAt: number, globalAt: number): string | null {
  const at = keyStarts[k] as number;
  if (at < 0) return null;
  let end = taskAt;
  for (let next = k + 1; next < KEYS.length; next++) {
    const nextAt = keyStarts[next] as number;
    if (nextAt >= 0) {
      end = nextAt;
      break;
    }
  }
  if (globalAt > at && globalAt < end) end = globalAt;
  return body.slice(at + (KEYS[k] as string).length, end);
}
