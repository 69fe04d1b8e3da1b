import { MASK } from './patterns';
import { PROGRAMS, type ProgramArgs } from './programs';
import { isSecretName } from './secret-names';

/**
 * Hide the passwords that `programs.ts` says a program takes as a flag's value or a plain argument. One pass over
 * the words of the line: a known program's name starts its arguments, a shell separator (`|`, `;`, `&&`) ends
 * them, so `bash -c "mysqldump -pX db | gzip"` is read like the line it runs. Linear in the line's length.
 */
export function redactProgramArgs(text: string): string {
  const spans: Span[] = [];
  let active: State[] | null = null;
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    if (SEPARATORS.has(word)) {
      active = null;
      continue;
    }
    const program = PROGRAMS.get(programName(word));
    if (program) {
      active = program.map((args) => ({
        args,
        afterSeen: args.after === undefined,
        operands: 0,
        pending: false,
      }));
      continue;
    }
    for (const state of active ?? []) {
      const span = step(state, word, match.index);
      if (span) spans.push(span);
    }
  }
  return masked(text, spans);
}

const WORD = /\S+/g;
const SEPARATORS = new Set(['|', '||', '&&', ';', '&']);
/** Quotes and parentheses a shell word may carry around a name or a value (`"mysql`, `-pX";`). */
const OPENERS = `"'(`;
const CLOSERS = `"';)`;

interface Span {
  start: number;
  end: number;
}

interface State {
  readonly args: ProgramArgs;
  afterSeen: boolean;
  operands: number;
  /** A spaced flag was the last word: this word is its value. */
  pending: boolean;
  /** The setting named by the first operand is a secret (`aws configure set aws_secret_access_key V`). */
  secretSetting?: boolean;
  /** The wrapped command began (`sshpass -p X ssh ...`): the rest is not this program's. */
  done?: boolean;
}

/**
 * The word without the quotes around it, found by counting characters: a `["']+$` expression would rescan a run
 * of quotes from each of its characters (recheck reports it polynomial).
 */
function unquoted(word: string): { lead: number; end: number } {
  let lead = 0;
  while (lead < word.length && OPENERS.includes(word.charAt(lead))) lead++;
  let end = word.length;
  while (end > lead && CLOSERS.includes(word.charAt(end - 1))) end--;
  return { lead, end };
}

function bare(word: string): string {
  const { lead, end } = unquoted(word);
  return word.slice(lead, end);
}

/** `"/usr/bin/mysql` → `mysql`: quotes and parentheses around, the directory before. */
function programName(word: string): string {
  const name = bare(word);
  return name.slice(name.lastIndexOf('/') + 1);
}

function step(state: State, word: string, at: number): Span | null {
  const { args } = state;
  if (state.done) return null;
  if (state.pending) {
    state.pending = false;
    // `mongo -p --host x` prompts for the password: the next word is a flag, not a value.
    if (!word.startsWith('-')) return secretPart(args, word, at);
  }
  if (!state.afterSeen) {
    state.afterSeen = bare(word) === args.after;
    return null;
  }
  const attached = args.attached?.find((flag) => word.startsWith(flag) && word.length > flag.length);
  if (attached) return secretPart(args, word.slice(attached.length), at + attached.length);
  if (word.startsWith('-')) {
    state.pending = args.spaced?.includes(word) ?? false;
    return null;
  }
  return operand(state, word, at);
}

function operand(state: State, word: string, at: number): Span | null {
  const { args } = state;
  if (args.wrapsCommand) {
    state.done = true;
    return null;
  }
  state.operands += 1;
  if (args.namedSetting) {
    if (state.operands === 1) state.secretSetting = isSecretName(bare(word));
    return state.operands === 2 && state.secretSetting ? secretPart(args, word, at) : null;
  }
  return args.positional === state.operands ? secretPart(args, word, at) : null;
}

/** The span of `value` (found at `at`) that is secret, quotes around it excluded; null when it holds none. */
function secretPart(args: ProgramArgs, value: string, at: number): Span | null {
  const { lead, end: unquotedEnd } = unquoted(value);
  let start = lead;
  let end = unquotedEnd;
  if (args.part === 'after-percent' || args.part === 'after-comma') {
    const separator = value.indexOf(args.part === 'after-percent' ? '%' : ',');
    if (separator < 0) return null;
    start = separator + 1;
  } else if (args.part === 'oracle-login') {
    // `user/password@service`; `/nolog` and `/ as sysdba` carry no password.
    const slash = value.indexOf('/');
    if (slash <= lead) return null;
    const atSign = value.indexOf('@', slash);
    start = slash + 1;
    end = atSign < 0 ? end : atSign;
  }
  return end > start ? { start: at + start, end: at + end } : null;
}

function masked(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  const ordered = [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let copied = 0;
  for (const span of ordered) {
    if (span.start < copied) continue;
    out += `${text.slice(copied, span.start)}${MASK}`;
    copied = span.end;
  }
  return out + text.slice(copied);
}
