/**
 * The parser's prefilter: whether a line can start or carry an OOM report. While no report waits for its victim,
 * a line for which this is false is skipped unread, so it must never be false for a line of a report.
 *
 * It is true exactly when this pattern (the specification, which the differential tests hold it to, written out
 * as data in prefilter-phrases.ts: a phrase is added there first) matches:
 *
 *     oom | ill(?:ed)? process | emory | Mem-Info | swap {1,2}= | pages RAM | Tasks? in | pid {1,2}\] | omm:  |
 *     due to | awslogs | logEvents | "events" | (?:^|[:\]] )\[ {0,10}\d{1,10}\] {1,10}-?\d
 *
 * Written that way, V8's regular expression engine tries every alternative at every position of every line: a
 * line of 120 characters cost 300-450 ns, the largest single cost of the parser. Below, each alternative is
 * rewritten to start at one character it always contains (its anchor: `m p k u w v ]`, chosen to be rare in
 * kernel text), then match the text after the anchor, then check the whole phrase with a lookbehind ending there
 * (`ory(?<=emory)`). A match of a rewritten alternative starts where the anchor is, instead of where the phrase
 * is, and exists exactly when the phrase does, so the test answers the same. What it gains: every match now
 * begins with one of seven characters, so the engine skips all other positions with one table lookup each (its
 * Boyer-Moore lookahead, on Node 24; Node 20 rejects them by its quick checks: see below) and tries alternatives
 * only at the few anchors of a line (about 7 in 120 characters), 2-3x faster on Node 20 and 24. Matching the text after the anchor before the lookbehind lets the engine
 * reject most anchors by comparing the next few characters at once (its quick check) without running a
 * lookbehind: no faster on one line, but 11-17% faster over a whole chunk (`nextCandidateLine`); so `m` tries
 * `: `, `ory` and `-Info` before the lookbehind of `oom`.
 *
 * `m`: oom, omm: , emory, Mem-Info. `p`: ill process, illed process, pages RAM, pid ]. `k`: Task in, Tasks in.
 * `u`: due to. `w`: awslogs, swap =. `v`: logEvents, "events". `]`: a task-table row after the line's start,
 * `: ` or `] ` (a transport's prefix), found from the `]` after its number: from its `[` (the row's first
 * character), every dmesg stamp (`[ 1234.567890]`) costs a walk over its digits and back before it fails at the
 * `.`; from the `]`, the letter after `] ` fails it at once. That costs the chunk scan more anchors (it still
 * stops at `[` for a clock line) and is faster all the same: over the first 50 MiB of the bench's realistic log
 * in 64 KiB latin1 pieces, 0.74 ns a byte against 0.78 on Node 20, 0.38 against 0.39 on Node 24; ANCHORED alone
 * 91 against 96 ns a line on Node 20, 49 against 54 on Node 24 (quiet machine, best of 5).
 *
 * What that scan costs on Node 24 is mostly its stops: every anchor in the text (m 400k, p 789k, k 602k, u 424k,
 * w 92k, v 329k, `[` and `]` 305k each in those 50 MiB, 6% of the bytes) costs an attempt, about 6 ns, whatever
 * the alternatives after it. Rarer anchors do not help: `y` for emory, `g` for pages RAM, `c` for process and the
 * like add anchors without removing one, since `m` stays for oom, `[` for the clock, and `p`, `k`, `u` have no
 * rarer character in their phrases. Node 20's engine skips nothing here (not even for `w(?=x)|y(?=x)`, which
 * Node 24 scans at 0.08 ns a byte): it runs the alternatives' quick checks at every position, 0.7-0.8 ns a byte
 * for every formulation tried (grouped or reordered alternatives, no lookbehinds at all, a leading class, a
 * lookahead for the anchors, which is 3x slower); splitting the phrases over several scans or `indexOf` passes
 * costs more than it saves (`indexOf(' process')` alone: 0.44 ns a byte on both).
 */
const ANCHORED =
  /m(?:: (?<=omm: )|ory(?<=emory)|-Info(?<=Mem-Info)|(?<=oom))|p(?:rocess(?<=ill(?:ed)? process)|ages RAM|id {1,2}\])|ks? in(?<=Tasks? in)|ue to(?<=due to)|w(?:slogs(?<=awslogs)|ap {1,2}=(?<=swap {1,2}=))|vents(?:(?<=logEvents)|"(?<="events"))|\] {1,10}-?\d(?<=(?:^|[:\]] )\[ {0,10}\d{1,10}\] {1,10}-?\d)/;

/** True when `line` may belong to an OOM report: see above. */
export function mayBelongToReport(line: string): boolean {
  return ANCHORED.test(line);
}

/**
 * `dmesg -H` prints its absolute clock (`[Nov25 16:58]`) only now and then; such lines must be read to keep the
 * clock, whatever the prefilter says of them.
 */
export function isHumanClockLine(line: string): boolean {
  if (line.charCodeAt(0) !== 91 /* [ */) return false;
  const c = line.charCodeAt(1);
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
}

/**
 * The prefilter and `isHumanClockLine` as one scan over a run of lines, so that a reader's chunk need not be
 * split into lines to skip the noise in it: ANCHORED with its one `^` (the line's start) spelled
 * `(?<![^\n])` (at the text's start or after a `\n`), and an alternative for a clock line's `[` and letter.
 * It finds a match in a line exactly when the line test would: ANCHORED holds no `\s`, `.`, negated class or
 * `$`, so none of its matches (lookbehinds included) reaches over a `\n` or needs the end of the line, and a
 * line's trailing `\r` (which the parser drops) can neither make nor break one; the clock alternative is
 * `isHumanClockLine` itself (any UTF-16 unit above 127, like `c > 127`; `\r` and `\n` are below), its letter
 * checked before the lookbehind that puts its `[` first on the line: most `[` are followed by a space, and fail
 * there without it.
 */
const CHUNK_SOURCE = ANCHORED.source.replace('(?:^|', '(?:(?<![^\\n])|');
const IN_CHUNK = new RegExp(`${CHUNK_SOURCE}|\\[[A-Za-z\\u0080-\\uffff](?<![^\\n]\\[[\\s\\S])`, 'g');
if (CHUNK_SOURCE === ANCHORED.source)
  throw new Error('prefilter: ANCHORED no longer has its line-start anchor');

/**
 * `pushBytes` finds the same lines on bytes with `wasm/line-scan.ts` where WebAssembly runs: a phrase added to
 * ANCHORED must be added there too, and to prefilter-phrases.ts (`wasm-line-scan.property.test.ts` holds the two
 * to the same answers, and finds each phrase of that list with both).
 *
 * Where, at or after `from` (the start of a line), the next line of `text` starts that `mayBelongToReport` or
 * `isHumanClockLine` holds for (its trailing `\r` dropped); -1 when no line does. Lines end with `\n`.
 */
export function nextCandidateLine(text: string, from: number): number {
  IN_CHUNK.lastIndex = from;
  if (!IN_CHUNK.test(text)) return -1;
  // The match lies within one line (see above) and is not empty: the line holding its last character is it.
  return text.lastIndexOf('\n', IN_CHUNK.lastIndex - 1) + 1;
}

/**
 * A narrower test for when no report is open on any host: whether reading `line` could change anything then. The
 * prefilter lets through every line holding `emory` (or `due to`, or a bracketed number), which in a log's noise is
 * mostly call traces (`out_of_memory+0xe4/0x360`), application messages (`Cannot allocate memory`) and
 * `name[pid]:` prefixes. With no report open, such a line has no effect: what the parser reads then is
 * - a kernel message that opens a report or names a kill (`classifyKernelMessage` other than `oom_reaper`,
 *   `OOM victim` and the `memory.oom.group` line, which only add to an open report),
 * - a systemd-oomd line (its kills and its candidate blocks),
 * - a JSON document of another kind (a subscription event or batch, `aws logs` output),
 * - a `dmesg -H` clock line, which sets the time of the lines after it;
 * everything else (the host it names, the stamp it repeats) is forgotten or recomputed by the next line read.
 * Each of those holds one of the phrases below in its text, wherever its transport puts it:
 *
 *     oom                 `invoked oom-killer:`, `oom-kill:`, `Tasks in ... memory.oom.group`, `systemd-oomd`
 *     ill(?:ed)? process  victim and selection lines
 *     : usage             `memory:`, `memory+swap:`, `kmem:`, `swap:` `usage ...kB, limit ...kB`
 *     emory cgroup        `Memory cgroup stats for ...`
 *     Mem-Info, ctive_anon:, swap {1,2}=, pages RAM   the global memory dump
 *     Tasks? in, omm:     `Task in ... killed as a result of limit of`, `CPU: ... Comm:`, `Pid: ..., comm:`
 *     Killed /            systemd-oomd's kill line in a plain log
 *     pid\s*\]            the task table's header
 *     [ 1234]             a task-table row, where a message can start: at the line's start or after a character
 *                         that ends a transport's prefix (never a letter, digit or `_`, as in `systemd[1]`)
 *     awslogs, logEvents, "events"                    other JSON documents
 *     dd:dd]              a `dmesg -H` clock (`[Nov25 16:58]`)
 *
 * A journald line can spell its fields with escapes (`\u006d`) or as arrays of bytes, which hide those phrases
 * from a test of the raw text: a JSON line holding a backslash or an array value is always read.
 *
 * The pattern below is that list rewritten as the prefilter's is, each phrase found from one character it holds
 * (`m p u v w k K [ ]`) with the text before it checked by a lookbehind; may-open-report.property.test.ts holds it
 * to the list as written above (prefilter-phrases.ts's `OPENING_PHRASES` and the rest). The list as one plain
 * pattern cost about 600 ns a line.
 */
const MAY_OPEN_REPORT =
  /m(?:(?<=oom)|(?<=em)ory cgroup|(?<=Mem)-Info|(?<=omm): )|p(?:(?<=ill(?:ed)? p)rocess|ages RAM|id\s*\])|u(?<=: u)sage|v(?:(?<=ctiv)e_anon:|(?<=logEv)ents|(?<="ev)ents")|w(?:(?<=sw)ap {1,2}=|(?<=aw)slogs)|k(?<=Task)s? in|Killed \/|\[(?<=(?:^|[^A-Za-z0-9_])\[)\s{0,10}\d{1,10}\]|\](?<=\d\d:\d\d\s*\])/;
const JSON_HIDING_TEXT = /\\|"\s*:\s*\[/;

/** True when `line`, which the prefilter let through, may change the parser's state while no report is open. */
export function mayOpenReport(line: string): boolean {
  return MAY_OPEN_REPORT.test(line) || (line.charCodeAt(0) === 123 /* { */ && JSON_HIDING_TEXT.test(line));
}
