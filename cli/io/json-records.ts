import { jsonBoundProblem } from '../../functions/core/cloudwatch/json-bounds';
import { InputBoundError, MAX_JSON_DEPTH, MAX_JSON_VALUE_CHARS, mib } from './bounds';

/** One JSON value of a stream, as text, and the line it starts on. */
export interface JsonRecord {
  text: string;
  line: number;
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/**
 * Cut a pretty-printed JSON stream into records as its lines arrive, so that memory holds one record, not the
 * file: each top-level object (`journalctl -o json-pretty` prints one per entry, one after the other; `aws logs
 * get-log-events` prints one), and each element of a top-level array (an array of records or of events). One
 * scan, no recursion: brackets are counted outside strings, and nesting past `MAX_JSON_DEPTH` or a record past
 * `MAX_JSON_VALUE_CHARS` ends the reading with an `InputBoundError` rather than being built.
 */
export class JsonRecordSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private topIsArray = false;
  /** The depth the open record started at (0 or 1), or -1 when none is open. */
  private recordDepth = -1;
  private recordLine = 0;
  private parts: string[] = [];
  private chars = 0;

  /** True between top-level values: the next line may be text rather than JSON. */
  get idle(): boolean {
    return this.depth === 0;
  }

  /** Scan one line; the records it completes are added to `out`. */
  push(line: string, lineNumber: number, out: JsonRecord[]): void {
    let start = this.recordDepth >= 0 ? 0 : -1;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (this.depth === 0) this.topIsArray = c === OPEN_BRACKET;
        if (this.recordDepth < 0 && this.depth === (this.topIsArray ? 1 : 0)) {
          this.recordDepth = this.depth;
          this.recordLine = lineNumber;
          start = i;
        }
        if (++this.depth > MAX_JSON_DEPTH) {
          throw new InputBoundError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels at line ${lineNumber}`);
        }
      } else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && this.depth > 0) {
        this.depth--;
        if (this.depth === this.recordDepth) {
          this.take(line.slice(start, i + 1), lineNumber);
          out.push({ text: this.parts.join('\n'), line: this.recordLine });
          this.parts = [];
          this.chars = 0;
          this.recordDepth = -1;
          start = -1;
        }
      }
    }
    if (start >= 0) this.take(line.slice(start), lineNumber);
  }

  /** The line a record still open at the end of input started on, or null when the input ended between records. */
  openRecordLine(): number | null {
    return this.recordDepth >= 0 ? this.recordLine : null;
  }

  private take(piece: string, lineNumber: number): void {
    this.chars += piece.length + 1;
    if (this.chars > MAX_JSON_VALUE_CHARS) {
      throw new InputBoundError(
        `the JSON value from line ${this.recordLine} to line ${lineNumber} is larger than ${mib(MAX_JSON_VALUE_CHARS)}: split the input into records (e.g. jq -c '.events[]')`,
      );
    }
    this.parts.push(piece);
  }
}

/** The line opens a JSON value: `{`, or `[` opening an array of values (a dmesg `[   12.3]` does not count). */
export function opensJson(line: string): boolean {
  const trimmed = line.trimStart();
  return trimmed.startsWith('{') || /^\[\s*(?:[{[]|$)/.test(trimmed);
}

/**
 * True when `json` nests deeper than `maxDepth` (strings skipped): checked before `JSON.parse` builds a long line,
 * since nesting is what makes a short text costly to build (10 MiB of `[[[[...` took 290 MB of heap, see
 * json-bounds.ts), and refused before anything walks it.
 */
export function nestsDeeperThan(json: string, maxDepth: number = MAX_JSON_DEPTH): boolean {
  // The detector's own scan, with depth as the only bound: a CLI line is no subscription batch to count containers of.
  return jsonBoundProblem(Buffer.from(json, 'utf8'), maxDepth, Number.POSITIVE_INFINITY) !== null;
}
