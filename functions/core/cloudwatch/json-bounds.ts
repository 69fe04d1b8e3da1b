/**
 * A cheap look at the structure of JSON bytes before `JSON.parse` builds it. The parser allocates every array and
 * object it meets: 10 MiB of `[[[[...]]]]` (5 million levels, 13 KB once gzipped and base64-encoded) took 290 MB
 * of heap and 627 MB of resident memory on Node 20, and 10 MiB of `{},{},...` 213 MB of heap, more than the
 * detector's 512 MB holds. A subscription batch is three levels deep (batch, `logEvents`, event) and holds one
 * object per log event, so a scan that counts brackets outside strings refuses both bombs after reading a few
 * bytes or one pass, allocating nothing.
 */

/** Deepest nesting accepted: a batch nests 3 deep; the rest is room for fields AWS may add. */
export const MAX_JSON_DEPTH = 16;

/**
 * The fewest bytes of JSON that a log event's object takes, `{"id":"1","timestamp":0,"message":""},` being 38:
 * a batch of N bytes holds at most N / 32 arrays and objects, so more can only be a forged payload.
 */
const MIN_BYTES_PER_CONTAINER = 32;
/** The batch itself, `subscriptionFilters` and `logEvents`, with room to spare. */
const FIXED_CONTAINERS = 16;

/** What a payload's structure went past, when it did. */
export interface JsonBoundProblem {
  bound: 'depth' | 'containers';
  /** The value that went past the limit (the depth, or the arrays and objects counted so far). */
  reached: number;
  limit: number;
}

/** Most arrays and objects a batch of `byteLength` bytes of JSON can hold. */
export function maxContainersFor(byteLength: number): number {
  return FIXED_CONTAINERS + Math.floor(byteLength / MIN_BYTES_PER_CONTAINER);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * The first bound `json` goes past, or null. Works on the UTF-8 bytes, before they become a string: no byte of a
 * multi-byte UTF-8 sequence is ASCII, so brackets and quotes found here are the JSON's own. Strings are skipped
 * with `indexOf` (native), which keeps a pass over a real 10 MiB batch to a few milliseconds. Malformed JSON is
 * not this function's concern: it is left to `JSON.parse`, which refuses it without building much.
 *
 * Most objects of a real batch are log events, `{"id":"<digits>","timestamp":<digits>,"message":"..."}`, with no
 * bracket outside their message: such an object is stepped over as the one container it is, with one search for
 * its message's closing quote where the scan would make six `indexOf` calls (each a call into C++, which cost
 * more than the search itself: 3 of the 6 ms a 1 MiB batch took).
 */
export function jsonBoundProblem(
  json: Buffer,
  maxDepth: number = MAX_JSON_DEPTH,
  maxContainers: number = maxContainersFor(json.length),
): JsonBoundProblem | null {
  let depth = 0;
  let containers = 0;
  for (let i = 0; i < json.length; i++) {
    const byte = json[i];
    if (byte === QUOTE) {
      i = closingQuote(json, i);
      if (i < 0) return null;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      depth++;
      containers++;
      if (depth > maxDepth) return { bound: 'depth', reached: depth, limit: maxDepth };
      if (containers > maxContainers)
        return { bound: 'containers', reached: containers, limit: maxContainers };
      if (byte === OPEN_BRACE) {
        // The scan would count nothing more up to the event's closing brace, then leave the object's level.
        const close = logEventEnd(json, i);
        if (close > 0) {
          i = close;
          depth--;
        }
      }
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    }
  }
  return null;
}

const EVENT_OPEN = Buffer.from('{"id":"');
const EVENT_TIMESTAMP = Buffer.from(',"timestamp":');
const EVENT_MESSAGE = Buffer.from(',"message":"');

/**
 * The index of the `}` that closes the log event whose `{` is at `open`, when the event is exactly
 * `{"id":"<string>","timestamp":<digits>,"message":"<string>"}`; -1 for anything else, which the scan then reads
 * byte by byte. Its strings are skipped as the scan skips them.
 */
function logEventEnd(json: Buffer, open: number): number {
  if (!bytesAt(json, open, EVENT_OPEN)) return -1;
  const idEnd = closingQuote(json, open + EVENT_OPEN.length - 1);
  if (idEnd < 0 || !bytesAt(json, idEnd + 1, EVENT_TIMESTAMP)) return -1;
  const at = digitsFrom(json, idEnd + 1 + EVENT_TIMESTAMP.length);
  if (!bytesAt(json, at, EVENT_MESSAGE)) return -1;
  const close = closingQuote(json, at + EVENT_MESSAGE.length - 1);
  if (close < 0 || json[close + 1] !== CLOSE_BRACE) return -1;
  return close + 1;
}

function bytesAt(json: Buffer, at: number, expected: Buffer): boolean {
  if (at + expected.length > json.length) return false;
  for (let i = 0; i < expected.length; i++) if (json[at + i] !== expected[i]) return false;
  return true;
}

function digitsFrom(json: Buffer, start: number): number {
  let at = start;
  while (at < json.length && (json[at] as number) >= 0x30 && (json[at] as number) <= 0x39) at++;
  return at;
}

/** Index of the quote that closes the string opened at `open`, or -1 when it is never closed. */
function closingQuote(json: Buffer, open: number): number {
  let at = json.indexOf(QUOTE, open + 1);
  while (at >= 0) {
    let backslashes = 0;
    while (json[at - 1 - backslashes] === BACKSLASH) backslashes++;
    // An even run of backslashes escapes itself, not the quote.
    if (backslashes % 2 === 0) return at;
    at = json.indexOf(QUOTE, at + 1);
  }
  return -1;
}
