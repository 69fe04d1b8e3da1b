/**
 * The parser's prefilter: whether a line can start or carry an OOM report. While no report waits for its victim,
 * a line for which this is false is skipped unread, so it must never be false for a line of a report.
 *
 * It is true exactly when this pattern (the specification, which the differential tests hold it to) matches:
 *
 *     oom | ill(?:ed)? process | emory | Mem-Info | swap {1,2}= | pages RAM | Tasks? in | pid {1,2}\] | omm:  |
 *     due to | awslogs | logEvents | "events" | (?:^|[:\]] )\[ {0,10}\d{1,10}\] {1,10}-?\d
 *
 * Written that way, V8's regular expression engine tries every alternative at every position of every line: a
 * line of 120 characters cost 300-450 ns, the largest single cost of the parser. Below, each alternative is
 * rewritten to start at one character it always contains (its anchor: `m p k u w v [`, chosen to be rare in
 * kernel text), with the text before the anchor checked by a lookbehind. A match of a rewritten alternative
 * starts where the anchor is, instead of where the phrase is, and exists exactly when the phrase does, so the
 * test answers the same. What it gains: every match now begins with one of seven characters, so the engine skips
 * all other positions with one table lookup each (its Boyer-Moore lookahead) and tries alternatives only at
 * the few anchors of a line (about 7 in 120 characters), 2-3x faster on Node 20 and 24.
 *
 * `m`: oom, omm: , emory, Mem-Info. `p`: ill process, illed process, pages RAM, pid ]. `k`: Task in, Tasks in.
 * `u`: due to. `w`: awslogs, swap =. `v`: logEvents, "events". `[`: a task-table row after the line's start,
 * `: ` or `] ` (a transport's prefix).
 */
const ANCHORED =
  /m(?:(?<=oom)|(?<=omm): |(?<=em)ory|(?<=Mem)-Info)|p(?:(?<=ill(?:ed)? p)rocess|ages RAM|id {1,2}\])|k(?<=Task)s? in|u(?<=du)e to|w(?:(?<=aw)slogs|(?<=sw)ap {1,2}=)|v(?:(?<=logEv)|(?<="ev)(?=ents"))ents|\[(?<=(?:^|[:\]] )\[) {0,10}\d{1,10}\] {1,10}-?\d/;

/** True when `line` may belong to an OOM report: see above. */
export function mayBelongToReport(line: string): boolean {
  return ANCHORED.test(line);
}
