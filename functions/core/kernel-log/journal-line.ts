import { type JournalFields, journalFieldOf, noJournalFields, setJournalFields } from './journal';

/**
 * A fast reading of the commonest JSON line, a journald record as `journalctl -o json` prints it: one flat
 * object whose values are all strings without escapes. For such a line, `JSON.parse` then reading the object's
 * keys (what the parser does with any JSON line) gives exactly the fields read here, in place, without building
 * the object; every other line is left to that general path.
 *
 * Why it is the same answer, case by case:
 * - The line is accepted only if it is, from its first character to its last, a JSON object of this grammar:
 *   `{ ws "key" ws : ws "value" ws (, ws "key" ws : ws "value" ws)* } ws`, whitespace being JSON's four
 *   characters. A string holding a backslash or a control character (which JSON forbids raw) is refused, so
 *   every accepted string means exactly its characters, which is what `JSON.parse` makes of it. Any other value
 *   (number, array, object, literal), an empty object, or anything after the closing brace is refused.
 * - A key the parser treats as a document of its own (`awslogs`, `logEvents`, `events`: a subscription event,
 *   a batch, `aws logs` output) is refused, so the general path handles it as before.
 * - A field set by two keys is refused: `JSON.parse` keeps a repeated key's last value at its first key's
 *   place, so the winner among keys naming one field could differ from the last one read here.
 * Refusing is always safe: the general path then reads the line as it always did.
 *
 * @returns the fields, or null when the line is not of this shape.
 */
export function readFlatJournalLine(line: string): JournalFields | null {
  // One native scan for what would need a closer look (an escape, a control character, JSON whitespace other
  // than a space): lines holding any are left to the general path, and strings can then end at the next quote.
  if (ESCAPE_OR_CONTROL.test(line)) return null;
  const fields = noJournalFields();
  let set = 0;
  let at = skipSpace(line, 1);
  if (line.charCodeAt(at) !== 34 /* " */) return null;
  for (;;) {
    const keyStart = at + 1;
    const keyEnd = plainStringEnd(line, keyStart);
    if (keyEnd < 0 || isDocumentKey(line, keyStart, keyEnd)) return null;
    at = skipSpace(line, keyEnd + 1);
    if (line.charCodeAt(at) !== 58 /* : */) return null;
    at = skipSpace(line, at + 1);
    if (line.charCodeAt(at) !== 34) return null;
    const valueStart = at + 1;
    const valueEnd = plainStringEnd(line, valueStart);
    if (valueEnd < 0) return null;
    const bits = journalFieldOf(line, keyStart, keyEnd);
    if (bits !== 0) {
      if ((set & bits) !== 0) return null;
      set |= bits;
      setJournalFields(fields, bits, line.slice(valueStart, valueEnd));
    }
    at = skipSpace(line, valueEnd + 1);
    const c = line.charCodeAt(at);
    if (c === 125 /* } */) return skipSpace(line, at + 1) === line.length ? fields : null;
    if (c !== 44 /* , */) return null;
    at = skipSpace(line, at + 1);
    if (line.charCodeAt(at) !== 34) return null;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for (JSON forbids them raw).
const ESCAPE_OR_CONTROL = /[\\\x00-\x1f]/;

/** JSON's whitespace, of which only the space is left on a line `ESCAPE_OR_CONTROL` passed. */
function skipSpace(line: string, from: number): number {
  let at = from;
  while (line.charCodeAt(at) === 32) at++;
  return at;
}

/** The index of the quote closing a string opened before `start` (no escape in it: see above), or -1. */
function plainStringEnd(line: string, start: number): number {
  return line.indexOf('"', start);
}

/** Keys that make an object a document of another kind for the parser (see `pushDocumentInto`). */
function isDocumentKey(line: string, start: number, end: number): boolean {
  const length = end - start;
  return (
    (length === 7 && line.startsWith('awslogs', start)) ||
    (length === 9 && line.startsWith('logEvents', start)) ||
    (length === 6 && line.startsWith('events', start))
  );
}
