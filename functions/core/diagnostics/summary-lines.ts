/**
 * The summary block of the collect-diagnostics output: `key=value` lines between a start and an end marker
 * (see docs/ssm-documents.md). Values hold no newlines (the script turns control characters into spaces) and
 * are taken verbatim, `=` included. Lists are written as `<list>.<n>.<field>=value`, n from 1.
 */
export const SUMMARY_START = '=== oom-responder summary v1 ===';
export const SUMMARY_END = '=== end oom-responder summary v1 ===';

export interface SummaryLines {
  /** Each key's first value. */
  fields: ReadonlyMap<string, string>;
  /** No end marker: the output was cut (GetCommandInvocation keeps 24,000 characters) or the script died. */
  truncated: boolean;
}

/** The summary's fields, or null when the output holds no start marker line. */
export function readSummaryLines(stdout: string): SummaryLines | null {
  const start = findLine(stdout, SUMMARY_START, 0);
  if (start < 0) return null;
  const from = start + SUMMARY_START.length;
  const end = findLine(stdout, SUMMARY_END, from);
  const truncated = end < 0;
  let body = stdout.slice(from, truncated ? stdout.length : end);
  // A cut output ends inside a line, and half a value would be read as a whole one: drop it.
  if (truncated && !body.endsWith('\n')) body = body.slice(0, body.lastIndexOf('\n') + 1);
  const fields = new Map<string, string>();
  for (const raw of body.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!fields.has(key)) fields.set(key, line.slice(eq + 1));
  }
  return { fields, truncated };
}

/** The records of a list (`process.1.pid`, `process.1.comm`, `process.2.pid`...), in index order. */
export function listOf(fields: ReadonlyMap<string, string>, list: string): Map<string, string>[] {
  const byIndex = new Map<number, Map<string, string>>();
  const prefix = `${list}.`;
  for (const [key, value] of fields) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf('.');
    if (dot <= 0 || !/^[1-9]\d{0,3}$/.test(rest.slice(0, dot))) continue;
    const index = Number(rest.slice(0, dot));
    let record = byIndex.get(index);
    if (!record) {
      record = new Map();
      byIndex.set(index, record);
    }
    record.set(rest.slice(dot + 1), value);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, record]) => record);
}

/** The offset of `marker` as a whole line at or after `from`, or -1. */
function findLine(text: string, marker: string, from: number): number {
  let at = text.indexOf(marker, from);
  while (at >= 0) {
    const after = text.charCodeAt(at + marker.length);
    const startsLine = at === 0 || text[at - 1] === '\n';
    const endsLine = Number.isNaN(after) || after === 10 || after === 13;
    if (startsLine && endsLine) return at;
    at = text.indexOf(marker, at + 1);
  }
  return -1;
}
