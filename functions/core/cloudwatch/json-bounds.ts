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
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    }
  }
  return null;
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
