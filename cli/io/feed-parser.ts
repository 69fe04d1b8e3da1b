import type { KernelLogParser, Kill } from '../../functions/core/kernel-log';
import { readLineBatches } from './read-lines';

/** A pretty-printed JSON document (a saved subscription event, `aws logs get-log-events` output) is read whole, up to this size. */
const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;

/**
 * Feed one input to the parser line by line, passing each batch of finished kills to `emit` as it appears, so
 * output starts before a large file is read to its end. An input whose first line opens a JSON document that
 * does not close on that line is read whole and parsed as one document.
 */
export async function feedParser(
  stream: AsyncIterable<Buffer | string>,
  parser: KernelLogParser,
  emit: (kills: Kill[]) => Promise<void> | void,
): Promise<void> {
  let document: string[] | null = null;
  let documentChars = 0;
  let first = true;
  for await (const lines of readLineBatches(stream)) {
    if (first) {
      first = false;
      if (opensMultiLineJson(lines[0] ?? '')) document = [];
    }
    if (document) {
      document.push(...lines);
      documentChars += lines.reduce((sum, line) => sum + line.length + 1, 0);
      if (documentChars <= MAX_DOCUMENT_CHARS) continue;
      // Too large to be a saved payload: treat what we have as ordinary lines.
      await emitLines(document, parser, emit);
      document = null;
      continue;
    }
    await emitLines(lines, parser, emit);
  }
  if (document) {
    const kills = parseDocument(document, parser);
    if (kills) await emit(kills);
    else await emitLines(document, parser, emit);
  }
}

async function emitLines(
  lines: readonly string[],
  parser: KernelLogParser,
  emit: (kills: Kill[]) => Promise<void> | void,
): Promise<void> {
  const kills: Kill[] = [];
  for (const line of lines) {
    const done = parser.pushLine(line);
    if (done.length > 0) kills.push(...done);
  }
  if (kills.length > 0) await emit(kills);
}

/** `{` or `[` opening an object or array of objects that does not close on its first line (a dmesg `[ 12.3]` does not count). */
function opensMultiLineJson(line: string): boolean {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{') && !/^\[\s*(?:\{|$)/.test(trimmed)) return false;
  try {
    JSON.parse(trimmed);
    return false;
  } catch {
    return true;
  }
}

function parseDocument(lines: string[], parser: KernelLogParser): Kill[] | null {
  const values: unknown[] = [];
  try {
    for (const text of splitConcatenatedJson(lines.join('\n'))) values.push(JSON.parse(text));
  } catch {
    return null;
  }
  return values.flatMap((value) => parser.pushDocument(value));
}

/**
 * Cut a text holding JSON values one after another (`journalctl -o json-pretty` prints one object per entry,
 * not an array) at the points where a top-level value closes. Linear; strings and escapes are honoured.
 */
export function splitConcatenatedJson(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0 && start >= 0) {
        parts.push(text.slice(start, i + 1));
        start = -1;
      }
    }
  }
  if (depth !== 0 || parts.length === 0) throw new SyntaxError('not a sequence of JSON values');
  return parts;
}
