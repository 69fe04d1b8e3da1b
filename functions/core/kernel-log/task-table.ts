import type { TaskRow } from './types';

/**
 * The task table of an OOM report. Its columns changed across eras, so rows are read against the header:
 * - 2.6.32: `[ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name`
 * - 3.x:    `[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name` (+ `nr_pmds` in 4.x)
 * - 4.15+:  `[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name`
 * - 6.x:    `[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name`
 * Rows print numbers right-aligned and then ` %s` the comm, which may contain spaces: the name is all that
 * follows the last numeric column and its single separating space.
 */
export interface TaskHeaderEvent {
  type: 'task-header';
  columns: string[];
}

const ROW_START = /^\[\s{0,10}(\d{1,10})\]/;

const FIELD_BY_COLUMN: Record<string, keyof TaskRow> = {
  uid: 'uid',
  tgid: 'tgid',
  total_vm: 'totalVmPages',
  rss: 'rssPages',
  rss_anon: 'rssAnonPages',
  rss_file: 'rssFilePages',
  rss_shmem: 'rssShmemPages',
  pgtables_bytes: 'pgtablesBytes',
  nr_ptes: 'nrPtes',
  swapents: 'swapents',
  oom_score_adj: 'oomScoreAdj',
};

export function parseTaskHeader(body: string): TaskHeaderEvent | null {
  const close = body.indexOf(']');
  if (close < 0 || close > 16 || body.slice(1, close).trim() !== 'pid') return null;
  const columns = body
    .slice(close + 1, close + 400)
    .trim()
    .split(/\s+/);
  if (columns[columns.length - 1] !== 'name' || columns.length < 3) return null;
  return { type: 'task-header', columns };
}

export function parseTaskRowStart(body: string): boolean {
  return ROW_START.test(body);
}

/** Split a row against the header's columns (all but `name`, which is the rest of the line). */
export function parseTaskRow(body: string, columns: readonly string[]): TaskRow | null {
  const start = ROW_START.exec(body);
  if (!start) return null;
  const row = emptyRow(Number(start[1]));
  let at = start[0].length;
  const numericColumns = columns.length - 1;
  for (let column = 0; column < numericColumns; column++) {
    while (body.charCodeAt(at) === 32) at++;
    const begin = at;
    if (body.charCodeAt(at) === 45 /* - */) at++;
    while (at < body.length && body.charCodeAt(at) >= 48 && body.charCodeAt(at) <= 57) at++;
    if (at === begin || (at === begin + 1 && body.charCodeAt(begin) === 45)) return null;
    const field = FIELD_BY_COLUMN[columns[column] ?? ''];
    if (field && field !== 'name' && field !== 'pid') row[field] = Number(body.slice(begin, at));
  }
  if (body.charCodeAt(at) !== 32) return null;
  row.name = body.slice(at + 1).replace(/\r$/, '');
  return row;
}

/**
 * A row whose header was not captured (a grep, a cut excerpt). Every era prints `uid tgid total_vm rss` first,
 * so those four are certain; the later columns differ by era and stay null.
 */
export function parseTaskRowWithoutHeader(body: string): TaskRow | null {
  const start = ROW_START.exec(body);
  if (!start) return null;
  const numbers: number[] = [];
  let at = start[0].length;
  for (;;) {
    let next = at;
    while (body.charCodeAt(next) === 32) next++;
    const begin = next;
    if (body.charCodeAt(next) === 45) next++;
    while (next < body.length && body.charCodeAt(next) >= 48 && body.charCodeAt(next) <= 57) next++;
    const isNumber = next > begin && body.charCodeAt(next - 1) !== 45 && body.charCodeAt(next) === 32;
    if (!isNumber || numbers.length >= 12) break;
    numbers.push(Number(body.slice(begin, next)));
    at = next;
  }
  if (numbers.length < 5 || body.charCodeAt(at) !== 32) return null;
  const [uid, tgid, totalVm, rss] = numbers;
  return {
    ...emptyRow(Number(start[1])),
    uid: uid ?? null,
    tgid: tgid ?? null,
    totalVmPages: totalVm ?? null,
    rssPages: rss ?? null,
    name: body.slice(at + 1).replace(/\r$/, ''),
  };
}

function emptyRow(pid: number): TaskRow {
  return {
    pid,
    uid: null,
    tgid: null,
    totalVmPages: null,
    rssPages: null,
    rssAnonPages: null,
    rssFilePages: null,
    rssShmemPages: null,
    pgtablesBytes: null,
    nrPtes: null,
    swapents: null,
    oomScoreAdj: null,
    name: '',
  };
}
