import {
  decodeSubscriptionEvent,
  isSubscriptionEvent,
  parseSubscriptionBatch,
  type SubscriptionBatch,
} from '../cloudwatch/subscription-payload';
import { MalformedPayloadError } from '../errors';
import { type ByteView, lineOfBytes, WEB_BYTE_VIEW } from './byte-view';
import { type Envelope, type EnvelopeContext, embeddedStampAt, parseEnvelope } from './envelope';
import { envelopeFromJournalRecord, journalEnvelope } from './journal';
import { readFlatJournalLine } from './journal-line';
import { classifyKernelMessage, parseOomdKill, type ReportEvent, type TaskRowEvent } from './messages';
import { OomdCandidates } from './oomd-candidates';
import { isHumanClockLine, mayBelongToReport, mayOpenReport, nextCandidateLine } from './prefilter';
import { killFromOomd, type LineSource, Report } from './report';
import { parseTaskRow, parseTaskRowWithoutHeader } from './task-table';
import type { Kill } from './types';
import { type WasmLineScan, wasmLineScan } from './wasm-line-scan';

export interface KernelLogParserOptions {
  /** The date year-less timestamps (RFC 3164, `dmesg -H`) are read against. @default the time of parsing */
  referenceDate?: Date;
  /** Largest decoded size of one embedded CloudWatch Logs payload. @default 10 MiB */
  maxDecodedBytes?: number;
  /**
   * How `pushBytes` views a chunk's bytes as text, one unit per byte (`byte-view.ts` says why that finds the
   * lines to read). On Node pass `Buffer#toString('latin1')` and `isAscii` of `node:buffer`
   * (`cli/io/node-byte-view.ts`), cheaper than decoding UTF-8 (`byte-view.ts` has figures); the core imports no
   * Node module.
   * @default `WEB_BYTE_VIEW`: WHATWG's `TextDecoder('latin1')` (windows-1252), about as slow as decoding UTF-8
   */
  byteView?: ByteView;
}

interface HostState {
  report: Report | null;
  /** The last task-table header seen on this host: its kernel prints every table the same way. */
  taskColumns: readonly string[] | null;
}

/** Lines of a report's call trace, memory dump and cgroup statistics run to a few hundred at most. */
const MAX_UNRELATED_RUN = 1000;
/** `oom_reaper` and `memory.oom.group` lines follow the victim line within a few lines. */
const QUIET_LINES_AFTER_VICTIM = 256;

/**
 * Streaming parser of kernel logs into kills. Feed lines with `pushLine`, then call `end`; each call returns
 * the kills that became final, in input order. Pure: no I/O, never throws on input.
 */
export class KernelLogParser {
  /** Payloads that could not be decoded; the lines around them were still parsed. */
  readonly problems: MalformedPayloadError[] = [];
  private readonly context: EnvelopeContext;
  private readonly maxDecodedBytes: number | undefined;
  private readonly byteView: ByteView;
  private readonly hosts = new Map<string, HostState>();
  /** systemd-oomd's candidate blocks per host, read until its kill line names the cgroup it killed. */
  private readonly oomdCandidates = new Map<string, OomdCandidates>();
  private readonly pending: (Report | null)[] = [];
  private pendingHead = 0;
  /** How many open reports still wait for their victim: while any does, every line must be read. */
  private awaitingReports = 0;
  /** How many hosts have a report open (`HostState.report`), waiting for its victim or not. */
  private openReports = 0;
  private lineNumber = 0;
  /** Lines given by `pushLine`, `pushText` and `pushBytes` (not those inside a document): see `linesFed`. */
  private fed = 0;
  /** The host of the last kernel message: an indented line with no prefix may continue its block (`isContinuation`). */
  private lastKey: string | null = null;
  /** Where the current line's finished kills collect; handed to the caller when there are any. */
  private emitted: Kill[] = [];
  /**
   * Whether `pushBytes`' WebAssembly scan may skip, while no report is open, the lines `mayOpenReport` rejects: only
   * when that method is this class's own (the scan spells out its test), so a subclass overriding it is obeyed.
   */
  private readonly scansOpening: boolean;

  constructor(options: KernelLogParserOptions = {}) {
    this.scansOpening = this.mayOpenReport === KernelLogParser.prototype.mayOpenReport;
    this.context = { referenceDate: options.referenceDate ?? new Date() };
    this.maxDecodedBytes = options.maxDecodedBytes;
    this.byteView = options.byteView ?? WEB_BYTE_VIEW;
  }

  /**
   * Feed one line; `source` says where it came from. Only copies of `source`'s fields are kept, so a caller may
   * reuse one object for many lines.
   */
  pushLine(rawLine: string, source?: LineSource): readonly Kill[] {
    const out = this.emitted;
    this.fed++;
    this.pushLineInto(rawLine, source, out);
    return this.handOver(out);
  }

  /**
   * Feed a run of whole lines: each ends with `\n` except perhaps the last (a reader's chunk cut at a line
   * boundary); an empty text holds no line. Returns the same kills, in the same order, as `pushLine` of each line
   * would (`push-text.property.test.ts` holds it to that). `source` applies to every line.
   *
   * Faster than splitting: while no report waits for its victim, `pushLine` skips every line the prefilter
   * rejects (other than a `dmesg -H` clock line), and most lines of a log are such noise. Here one scan of the
   * text (`nextCandidateLine`) finds the next line `pushLine` would not skip; the lines before it are only
   * counted, never cut out: what `pushLine` does with a line it skips is count it, and, at each multiple of 256,
   * close the reports of hosts gone quiet (`skipLines`). While a report waits for its victim every line must be
   * read, and they are, one by one, as `pushLine` reads them; when none waits any more, the scan resumes at the
   * next line.
   */
  pushText(text: string, source?: LineSource): readonly Kill[] {
    const out = this.emitted;
    this.pushRun(text, null, source, out);
    return this.handOver(out);
  }

  /**
   * Feed a run of whole lines as UTF-8 bytes: each ends with a `\n` byte except perhaps the last. Returns the
   * same kills as `pushText` of their decoding (with U+FFFD for invalid sequences, as the CLI's reader decodes);
   * `push-bytes.property.test.ts` holds it to that and to `pushLine`.
   *
   * Faster than decoding first: the noise is found and counted on a one-byte view of the bytes (`byteView`),
   * which costs a copy, not a decoding, and finds the same lines (`byte-view.ts`); only the lines `pushLine`
   * would read are decoded, from their bytes, and none of a piece whose bytes are all ASCII (then the view is
   * the text). The bytes are viewed in pieces of whole lines of about `VIEW_BYTES`: see there why. Where the
   * engine runs WebAssembly with SIMD, the noise is found on the bytes themselves (`wasm-line-scan.ts`: the same
   * lines as `nextCandidateLine` of the view, 2-4x faster with their count), which costs one copy of `bytes`.
   */
  pushBytes(bytes: Uint8Array, source?: LineSource): readonly Kill[] {
    const out = this.emitted;
    const byteView = this.byteView;
    const length = bytes.length;
    // The noise is found in WebAssembly where it runs (`wasm-line-scan.ts`): one copy of the chunk for all pieces.
    const wasm = wasmLineScan();
    const scan = wasm?.load(bytes) ? wasm : null;
    for (let from = 0; from < length; ) {
      // The piece ends after the last newline within VIEW_BYTES, or after the first one past them.
      let to = from + VIEW_BYTES >= length ? length : bytes.lastIndexOf(10, from + VIEW_BYTES - 1) + 1;
      if (to <= from) to = bytes.indexOf(10, from + VIEW_BYTES) + 1 || length;
      const piece = bytes.subarray(from, to);
      scan?.select(from);
      this.pushRun(byteView.view(piece), byteView.isAscii(piece) ? null : piece, source, out, scan);
      from = to;
    }
    return this.handOver(out);
  }

  /** The kills collected in `out` (`this.emitted`), handed to the caller. */
  private handOver(out: Kill[]): readonly Kill[] {
    // Most lines finish no kill: they all return one shared empty array rather than a new one each.
    if (out.length === 0) return NO_KILLS;
    this.emitted = [];
    return out;
  }

  /**
   * `pushText` and `pushBytes`: `view` is a run of whole lines, or its one-byte view when `bytes` are given, in
   * which case its offsets are those of the bytes and a line read is decoded from them. `view` and the decoding
   * agree on where lines end (`\n` is one byte, and one unit of both). `scan`, when given, holds the bytes of
   * `view` (selected at its start) and finds the same lines as `nextCandidateLine` and counts them as `linesIn`.
   */
  private pushRun(
    view: string,
    bytes: Uint8Array | null,
    source: LineSource | undefined,
    out: Kill[],
    scan: WasmLineScan | null = null,
  ): void {
    const length = view.length;
    let start = 0;
    while (start < length) {
      if (this.awaitingReports === 0) {
        let next: number;
        let skipped: number;
        if (scan === null) {
          next = nextCandidateLine(view, start);
          skipped = linesIn(view, start, next < 0 ? length : next);
        } else {
          // With no report open, the narrower set skips the lines `pushLineInto` would read and then drop.
          next = scan.next(start, length, this.openReports === 0 && this.scansOpening);
          skipped = scan.skipped;
        }
        this.fed += skipped;
        this.skipLines(skipped, out);
        if (next < 0) break;
        start = next;
      }
      let end = view.indexOf('\n', start);
      if (end < 0) end = length;
      this.fed++;
      this.pushLineInto(bytes ? lineOfBytes(view, bytes, start, end) : view.slice(start, end), source, out);
      start = end + 1;
    }
  }

  /**
   * How many lines `pushLine`, `pushText` and `pushBytes` have been given so far (the lines inside a JSON document
   * not counted): what a reader feeding whole runs of lines needs to number the next one without counting them.
   */
  get linesFed(): number {
    return this.fed;
  }

  /** Feed a whole JSON document (a subscription event, a decoded batch, `aws logs get-log-events` output). */
  pushDocument(document: unknown): Kill[] {
    const out: Kill[] = [];
    this.pushDocumentInto(document, undefined, out);
    return out;
  }

  /**
   * Count `count` lines as skipped, as `pushLineInto` counts each line it skips: `closeStale` would run at each
   * multiple of 256 among them, and one run at the last of those multiples does the same. Nothing changes
   * between those runs (a skipped line touches no report), so a report stale at one multiple is stale at every
   * later one: the last run closes every report the earlier runs would, and only those. The order of the closes
   * does not matter: a report is queued when its first kill or summary is read, not when it closes, and `flush`
   * emits the queue in that order; and closing a report (`Report.complete`) reads nothing but the report.
   */
  private skipLines(count: number, out: Kill[]): void {
    const last = this.lineNumber + count;
    const multiple = last - (last & 255);
    if (multiple > this.lineNumber && this.openReports > 0) {
      this.lineNumber = multiple;
      this.closeStale(out);
    }
    this.lineNumber = last;
  }

  private pushLineInto(rawLine: string, source: LineSource | undefined, out: Kill[]): void {
    const line = rawLine.charCodeAt(rawLine.length - 1) === 13 ? rawLine.slice(0, -1) : rawLine;
    this.lineNumber++;
    if ((this.lineNumber & 255) === 0) this.closeStale(out);
    // A line that cannot start or carry a report is skipped with one scan while no report waits for its victim,
    // which keeps the parser near the speed of splitting lines (`prefilter.ts`); while no report is open at all, a
    // second test skips the lines the first lets through that could change nothing then (`mayOpenReport`).
    if (this.awaitingReports === 0 && !isHumanClockLine(line)) {
      if (!mayBelongToReport(line)) return;
      if (this.openReports === 0 && !this.mayOpenReport(line)) return;
    }
    if (line.charCodeAt(0) === 123 /* { */) this.pushJson(line, source, out);
    else this.pushEnvelope(parseEnvelope(line, this.context), source, out);
  }

  /**
   * `mayOpenReport` of `prefilter.ts`, as a method so that the differential tests can compare the parser with one
   * that reads every line the prefilter lets through. A subclass overriding it turns off `pushBytes`' use of the
   * WebAssembly scan's second set (`wasm/opening-line.ts`), which would skip those lines without asking it.
   */
  protected mayOpenReport(line: string): boolean {
    return mayOpenReport(line);
  }

  end(): Kill[] {
    const out: Kill[] = [];
    for (const state of this.hosts.values()) if (state.report) this.close(state, out);
    this.flush(out);
    return out;
  }

  private pushJson(line: string, source: LineSource | undefined, out: Kill[]): void {
    // Most JSON lines are flat journald records: read in place, they give the envelope JSON.parse and
    // `pushDocumentInto` would, without building the object (`journal-line.ts` says why it is the same).
    const flat = readFlatJournalLine(line);
    if (flat) {
      this.pushEnvelope(journalEnvelope(flat) ?? parseEnvelope(line, this.context), source, out);
      return;
    }
    let document: unknown;
    try {
      document = JSON.parse(line);
    } catch {
      this.pushEnvelope(parseEnvelope(line, this.context), source, out);
      return;
    }
    if (!this.pushDocumentInto(document, source, out)) {
      this.pushEnvelope(parseEnvelope(line, this.context), source, out);
    }
  }

  /** True when the document was recognized (even if it then failed to decode). */
  private pushDocumentInto(document: unknown, source: LineSource | undefined, out: Kill[]): boolean {
    if (typeof document !== 'object' || document === null) return false;
    if (Array.isArray(document)) {
      // Arrays in arrays are walked with a stack of their iterators, not recursion: their depth is the input's.
      const stack: Iterator<unknown>[] = [document[Symbol.iterator]()];
      for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
        const next = top.next();
        if (next.done) stack.pop();
        else if (Array.isArray(next.value)) stack.push(next.value[Symbol.iterator]());
        else this.pushDocumentInto(next.value, source, out);
      }
      return true;
    }
    const record = document as Record<string, unknown>;
    if (
      ('awslogs' in record && isSubscriptionEvent(record)) ||
      ('logEvents' in record && 'messageType' in record)
    ) {
      let batch: SubscriptionBatch;
      try {
        batch =
          'awslogs' in record
            ? decodeSubscriptionEvent(record, this.maxDecodedBytes)
            : parseSubscriptionBatch(record);
      } catch (error) {
        if (error instanceof MalformedPayloadError) this.problems.push(error);
        return true;
      }
      if (batch.messageType !== 'DATA_MESSAGE') return true;
      for (const event of batch.logEvents) {
        const eventSource = {
          logGroup: batch.logGroup,
          logStream: batch.logStream,
          eventId: event.id,
          timestampMs: event.timestamp,
        };
        for (const line of event.message.split('\n')) this.pushLineInto(line, eventSource, out);
      }
      return true;
    }
    if (Array.isArray(record.events)) {
      // `aws logs get-log-events` / `filter-log-events` output.
      for (const event of record.events as Record<string, unknown>[]) {
        if (typeof event?.message !== 'string') continue;
        const eventSource: LineSource = {
          ...source,
          ...(typeof event.logStreamName === 'string' ? { logStream: event.logStreamName } : {}),
          ...(typeof event.eventId === 'string' ? { eventId: event.eventId } : {}),
          ...(typeof event.timestamp === 'number' ? { timestampMs: event.timestamp } : {}),
        };
        for (const line of event.message.split('\n')) this.pushLineInto(line, eventSource, out);
      }
      return true;
    }
    const journal = envelopeFromJournalRecord(record);
    if (!journal) return false;
    this.pushEnvelope(journal, source, out);
    return true;
  }

  private pushEnvelope(first: Envelope, source: LineSource | undefined, out: Kill[]): void {
    // A worklist, not recursion: a line may hold as many lost newlines as it has characters to spare. Most lines
    // hold none, and allocate no list.
    let work: Envelope[] | null = null;
    for (let envelope: Envelope | undefined = first; envelope !== undefined; envelope = work?.pop()) {
      const program = envelope.program;
      if (program !== null && program !== 'kernel') {
        // Another program's line: only systemd-oomd's own kills count; an application quoting a kernel line does not.
        if (program.startsWith('systemd-oomd')) this.pushOomd(envelope, envelope.body, source, out);
        continue;
      }
      const split = embeddedStampAt(envelope.body);
      if (split > 0 && classifyKernelMessage(envelope.body.slice(0, split)) !== null) {
        // Two kernel messages on one line (a lost newline): handle them one after the other (the first is taken
        // from the worklist first). A stamp after text that is no kernel message is a quote inside another
        // program's line.
        const second = parseEnvelope(envelope.body.slice(split), this.context);
        work ??= [];
        work.push({ ...second, host: envelope.host, program: envelope.program });
        work.push({ ...envelope, body: envelope.body.slice(0, split) });
        continue;
      }
      this.pushMessage(envelope, program, source, out);
    }
  }

  /** One kernel message (or a plain line that may be systemd-oomd's), with no lost newline left in it. */
  private pushMessage(
    envelope: Envelope,
    program: string | null,
    source: LineSource | undefined,
    out: Kill[],
  ): void {
    const strict = envelope.transport === 'plain' && program === null;
    if (strict && envelope.body.startsWith('Killed /') && envelope.body.includes(' due to memory')) {
      this.pushOomd(envelope, envelope.body, source, out);
      return;
    }
    const event = classifyKernelMessage(envelope.body);
    const key =
      this.lastKey !== null && isContinuation(envelope) && this.hosts.get(this.lastKey)?.report?.block
        ? this.lastKey
        : (envelope.host ?? source?.logStream ?? '');
    this.lastKey = key;
    let state = this.hosts.get(key);
    if (!state) {
      if (event === null) return;
      state = { report: null, taskColumns: null };
      this.hosts.set(key, state);
    }
    if (state.report?.isFarFrom(envelope)) this.close(state, out);
    this.apply(state, event, envelope, source, strict, out);
    const report = state.report;
    if (report) {
      report.touch(envelope, this.lineNumber);
      if (report.consumed) this.stopAwaiting(report);
    }
    this.flush(out);
  }

  private apply(
    state: HostState,
    event: ReportEvent | TaskRowEvent | null,
    envelope: Envelope,
    source: LineSource | undefined,
    strict: boolean,
    out: Kill[],
  ): void {
    const current = state.report;
    if (current?.block) {
      // The memcg stats and Mem-Info blocks run over lines that say nothing by themselves (`anon 28139520`).
      if (event === null && current.readBlockLine(envelope.body)) {
        current.unrelatedRun = 0;
        return;
      }
      current.block = null;
    }
    if (event === null) {
      // A line that is not part of any report ends a report whose victim was already named; a report still
      // waiting for its victim tolerates the call trace and memory dumps between its lines, but not forever.
      if (current && (current.consumed || ++current.unrelatedRun > MAX_UNRELATED_RUN)) this.close(state, out);
      return;
    }
    if (current) current.unrelatedRun = 0;
    switch (event.type) {
      case 'invoked': {
        this.open(state, out).invoked = event;
        return;
      }
      case 'killed': {
        const inReport = current !== null && (current.invoked !== null || current.selected !== null);
        if (strict && !event.hasMemoryFields && event.memcg === null && !inReport) return;
        const sameReport = current !== null && (event.sharingMemory || current.groupKill);
        const report = sameReport ? current : this.reportFor(state, out);
        report.addKill(event, envelope, source);
        this.enqueue(report);
        return;
      }
      case 'reaped': {
        const kill = current?.kills.find((k) => k.pid === event.pid);
        if (kill) kill.reapedAnonRssKb = event.anonRssKb;
        return;
      }
      case 'already-exiting':
        return;
      case 'group-kill': {
        if (current) {
          current.groupKill = true;
          current.oomGroupMemcg = event.memcg ?? current.oomGroupMemcg;
        }
        return;
      }
      case 'task-row': {
        const row = state.taskColumns
          ? parseTaskRow(event.body, state.taskColumns)
          : parseTaskRowWithoutHeader(event.body);
        if (row) this.reportFor(state, out).addTask(row);
        return;
      }
      case 'task-header': {
        state.taskColumns = event.columns;
        this.reportFor(state, out).tasks = [];
        return;
      }
      case 'summary': {
        const report = this.reportFor(state, out);
        // The caller may reuse its source object for the next line: keep a copy.
        report.summary = { event, envelope, source: source && { ...source } };
        this.enqueue(report);
        return;
      }
      default:
        this.applyDetail(this.reportFor(state, out), event);
    }
  }

  private applyDetail(report: Report, event: ReportEvent): void {
    switch (event.type) {
      case 'cpu':
        report.cpu ??= event;
        return;
      case 'selected':
        report.selected = event;
        return;
      case 'task-in':
        report.taskIn = event;
        return;
      case 'memcg-usage':
        report.memcgUsage = event;
        return;
      case 'memcg-counter':
        report.memcgCounters ??= {};
        report.memcgCounters[event.counter] = event;
        return;
      case 'memcg-stats-header':
        report.openMemcgStats(event.memcg, event.rest);
        return;
      case 'mem-info-counters':
        report.openMemInfo(event.body);
        return;
      case 'node-lru':
        report.addNodeLru(event.body);
        return;
      case 'swap-total':
        report.swapTotalKb = event.kb;
        return;
      case 'swap-free':
        report.swapFreeKb = event.kb;
        return;
      case 'pages-ram':
        report.ramPages = event.pages;
        return;
      default:
        return;
    }
  }

  private pushOomd(envelope: Envelope, body: string, source: LineSource | undefined, out: Kill[]): void {
    const event = parseOomdKill(body);
    const key = envelope.host ?? source?.logStream ?? '';
    if (!event) {
      this.oomdCandidatesOf(key).read(body);
      return;
    }
    const report = new Report();
    const kill = killFromOomd(event, envelope, source);
    kill.oomdCandidate = this.oomdCandidates.get(key)?.take(event.cgroupPath) ?? null;
    report.addKillRecord(kill);
    this.enqueue(report);
    report.closed = true;
    this.flush(out);
  }

  private oomdCandidatesOf(key: string): OomdCandidates {
    let candidates = this.oomdCandidates.get(key);
    if (!candidates) {
      candidates = new OomdCandidates();
      this.oomdCandidates.set(key, candidates);
    }
    return candidates;
  }

  /** The open report of this host, or a new one when there is none or its victim was already named. */
  private reportFor(state: HostState, out: Kill[]): Report {
    if (state.report && !state.report.consumed) return state.report;
    return this.open(state, out);
  }

  private open(state: HostState, out: Kill[]): Report {
    if (state.report) this.close(state, out);
    const report = new Report(this.lineNumber);
    state.report = report;
    this.openReports++;
    report.awaitingVictim = true;
    this.awaitingReports++;
    return report;
  }

  private stopAwaiting(report: Report): void {
    if (!report.awaitingVictim) return;
    report.awaitingVictim = false;
    this.awaitingReports--;
  }

  private enqueue(report: Report): void {
    if (report.queued) return;
    report.queued = true;
    this.pending.push(report);
  }

  private close(state: HostState, out: Kill[]): void {
    const report = state.report;
    if (!report) return;
    state.report = null;
    this.openReports--;
    this.stopAwaiting(report);
    if (report.killFromLoneSummary()) this.enqueue(report);
    report.complete();
    report.closed = true;
    this.flush(out);
  }

  /**
   * Close reports whose host has gone quiet: a report whose victim was named waits a little for `oom_reaper`,
   * one still waiting for its victim a while longer (its call trace and memory dump are long), then both close,
   * so that output keeps flowing and the fast path resumes on a log of many hosts.
   */
  private closeStale(out: Kill[]): void {
    for (const state of this.hosts.values()) {
      const report = state.report;
      if (!report) continue;
      const quiet = this.lineNumber - report.lastLine;
      if (quiet > (report.consumed ? QUIET_LINES_AFTER_VICTIM : MAX_UNRELATED_RUN)) this.close(state, out);
    }
  }

  /** Emit the kills of closed reports, oldest first, stopping at the first report still open. */
  private flush(out: Kill[]): void {
    const pending = this.pending;
    let head = this.pendingHead;
    while (head < pending.length) {
      const report = pending[head];
      if (!report?.closed) break;
      for (const kill of report.kills) out.push(kill);
      // Let go of the report at once: most live a few lines, and objects that die young cost the GC nothing.
      pending[head] = null;
      head++;
    }
    if (head === pending.length) {
      pending.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > pending.length) {
      // Drop emitted reports now and then rather than shifting one by one (which is linear each time).
      pending.splice(0, head);
      head = 0;
    }
    this.pendingHead = head;
  }
}

const NO_KILLS: readonly Kill[] = Object.freeze([]);

/**
 * How many bytes `pushBytes` views at once (a piece ends at a line's end, so may be longer). V8 allocates a
 * string under 128 KiB in its young generation, where dying soon costs nothing; a view of a 1 MiB chunk is
 * allocated apart (on Node an external string, malloc'd and freed by a full collection), which cost ~5x as
 * much over the bench's log (CPU over 200 MiB beyond reading it: ~10 ms in 64 KiB views, ~50 ms in 1 MiB
 * views, 110 ms in 256 KiB ones, on Node 20 and 24).
 */
const VIEW_BYTES = 64 * 1024;

/**
 * How many lines of `text` lie in `[from, to)`: `from` starts a line, and `to` starts one or is the text's end,
 * where the last line may lack its `\n`.
 */
function linesIn(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) count++;
  if (to === text.length && to > from && text.charCodeAt(to - 1) !== 10 /* \n */) count++;
  return count;
}

/**
 * A line of a multi-line kernel record as dmesg -T, journalctl and syslog readers print it: indented, with no
 * prefix of its own. It belongs to the host of the line before it (journalctl names a host; the indent does not).
 */
function isContinuation(envelope: Envelope): boolean {
  return (
    envelope.transport === 'plain' &&
    envelope.host === null &&
    envelope.body.length > 1 &&
    envelope.body.charCodeAt(0) === 32 &&
    envelope.body.charCodeAt(1) === 32
  );
}

/** Parse a whole text (or an array of lines) at once. */
export function parseKernelLog(text: string, options: KernelLogParserOptions = {}): Kill[] {
  const parser = new KernelLogParser(options);
  const kills: Kill[] = [];
  // Kill by kill, not push(...): one line (a subscription payload) can finish more kills than a call takes arguments.
  for (const line of text.split('\n')) for (const kill of parser.pushLine(line)) kills.push(kill);
  for (const kill of parser.end()) kills.push(kill);
  return kills;
}
