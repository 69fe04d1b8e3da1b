/**
 * A reader of Amazon States Language definitions for the graph tests: the states a state can go to next, what
 * it can reach, its loops and the worst-case time of a path, from the definition alone (the same JSON Step
 * Functions receives). Field names and defaults follow the States Language specification.
 */
export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}
export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}
export type ChoiceRule = Record<string, unknown> & { Next?: string };
export interface AslState {
  Type: 'Task' | 'Map' | 'Parallel' | 'Choice' | 'Pass' | 'Wait' | 'Succeed' | 'Fail';
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  ResultSelector?: Record<string, unknown>;
  Retry?: Retrier[];
  Catch?: Catcher[];
  Choices?: ChoiceRule[];
  Default?: string;
  TimeoutSeconds?: number;
  HeartbeatSeconds?: number;
  Seconds?: number;
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
  Branches?: AslMachine[];
}
export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
}

export const CAN_FAIL = new Set(['Task', 'Map', 'Parallel']);
/** The States Language default when a retrier leaves MaxAttempts out. */
const DEFAULT_MAX_ATTEMPTS = 3;

export function stateOf(machine: AslMachine, name: string): AslState {
  const state = machine.States[name];
  if (!state) throw new Error(`no state "${name}"`);
  return state;
}

/** Where a state can go: Next, every Choice rule's Next and Default, every Catch's Next. */
export function successors(state: AslState): string[] {
  const next = [
    state.Next,
    ...(state.Choices ?? []).map((rule) => rule.Next),
    state.Default,
    ...(state.Catch ?? []).map((c) => c.Next),
  ];
  return next.filter((n): n is string => typeof n === 'string');
}

/** Whether a state ends the machine (or, inside a Map, the item). */
export function isTerminal(state: AslState): boolean {
  return state.End === true || state.Type === 'Succeed' || state.Type === 'Fail';
}

/** The states reachable from `from` (itself included), never walking through `avoid`. */
export function reachable(
  machine: AslMachine,
  from: string,
  avoid: ReadonlySet<string> = new Set(),
): Set<string> {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name) || avoid.has(name)) continue;
    seen.add(name);
    queue.push(...successors(stateOf(machine, name)));
  }
  return seen;
}

/** Every state of a machine with the machine that holds it: Map item processors and Parallel branches included. */
export function allStates(
  machine: AslMachine,
  scope = 'top',
): { name: string; state: AslState; machine: AslMachine; scope: string }[] {
  return Object.entries(machine.States).flatMap(([name, state]) => [
    { name, state, machine, scope },
    ...nested(state).flatMap((inner) => allStates(inner, `${scope} > ${name}`)),
  ]);
}

export function nested(state: AslState): AslMachine[] {
  return [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].filter(
    (m): m is AslMachine => m !== undefined,
  );
}

/** Every NumericLessThan bound on a variable in a Choice rule (through And / Or / Not). */
export function numericBounds(rule: unknown): { variable: string; bound: number }[] {
  if (typeof rule !== 'object' || rule === null) return [];
  const r = rule as Record<string, unknown>;
  const own =
    typeof r.Variable === 'string' && typeof r.NumericLessThan === 'number'
      ? [{ variable: r.Variable, bound: r.NumericLessThan }]
      : [];
  const inner = [...((r.And as unknown[]) ?? []), ...((r.Or as unknown[]) ?? []), r.Not].flatMap(
    numericBounds,
  );
  return [...own, ...inner];
}

/** The Choice rules that lead back to their own Choice: the loops of a machine. */
export function loops(machine: AslMachine): { choice: string; rule: ChoiceRule; body: string[] }[] {
  return Object.entries(machine.States).flatMap(([name, state]) =>
    (state.Choices ?? [])
      .filter((rule) => rule.Next !== undefined && reachable(machine, rule.Next).has(name))
      .map((rule) => ({ choice: name, rule, body: loopBody(machine, rule.Next as string, name) })),
  );
}

/** The states one turn of a loop takes, following Next from the rule's target back to its Choice. */
function loopBody(machine: AslMachine, start: string, choice: string): string[] {
  const body: string[] = [];
  for (let name = start; name !== choice; ) {
    if (body.includes(name))
      throw new Error(`the loop through ${start} does not return to ${choice} by Next`);
    body.push(name);
    const next = stateOf(machine, name).Next;
    if (!next) throw new Error(`the loop through ${start} leaves by ${name}`);
    name = next;
  }
  return body;
}

/** Seconds a retrier can add: the waits between its attempts, with backoff and MaxDelaySeconds. */
export function retryDelaySeconds(retrier: Retrier): number {
  const attempts = retrier.MaxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  let total = 0;
  for (let k = 0; k < attempts; k++) {
    const delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** k;
    total += Math.min(delay, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
  }
  return total;
}

/** A Task's worst case: every attempt its retriers allow runs to its timeout, plus the waits between them. */
export function taskWorstSeconds(state: AslState): number {
  const timeout = state.TimeoutSeconds ?? Number.POSITIVE_INFINITY;
  const retries = state.Retry ?? [];
  const attempts = 1 + retries.reduce((sum, r) => sum + (r.MaxAttempts ?? DEFAULT_MAX_ATTEMPTS), 0);
  return attempts * timeout + retries.reduce((sum, r) => sum + retryDelaySeconds(r), 0);
}

/**
 * The longest any path from `from` to the end can take. A loop counts its bound (the NumericLessThan of its
 * Choice) times one turn at one attempt per Task, plus each Task's full retries once: a poll that exhausts its
 * retries leaves the loop by its Catch. A Map counts `mapItems` items, one after another.
 */
export function worstSeconds(
  machine: AslMachine,
  from: string,
  mapItems: number,
  stack: string[] = [],
): number {
  if (stack.includes(from)) return 0; // a loop's way back: counted at its Choice
  const state = stateOf(machine, from);
  const path = [...stack, from];
  const rest = (names: string[]): number =>
    Math.max(0, ...names.map((n) => worstSeconds(machine, n, mapItems, path)));
  const loop = loops(machine).find((l) => l.choice === from);
  if (loop) {
    const bound = Math.max(...numericBounds(loop.rule).map((b) => b.bound));
    const turn = loop.body
      .map((n) => stateOf(machine, n))
      .reduce(
        (sum, s) => sum + (s.Seconds ?? 0) + (s.Type === 'Task' ? (s.TimeoutSeconds ?? Infinity) : 0),
        0,
      );
    const retries = loop.body
      .map((n) => stateOf(machine, n))
      .reduce((sum, s) => sum + (s.Type === 'Task' ? taskWorstSeconds(s) : 0), 0);
    return bound * turn + retries + rest(successors(state).filter((n) => n !== loop.rule.Next));
  }
  let own = 0;
  if (state.Type === 'Wait') own = state.Seconds ?? Infinity;
  if (state.Type === 'Task') own = taskWorstSeconds(state);
  if (state.Type === 'Map') {
    const processor = nested(state)[0] as AslMachine;
    own = mapItems * worstSeconds(processor, processor.StartAt, mapItems) + taskRetryOnly(state);
  }
  return own + rest(successors(state));
}

function taskRetryOnly(state: AslState): number {
  return (state.Retry ?? []).reduce((sum, r) => sum + retryDelaySeconds(r), 0);
}
