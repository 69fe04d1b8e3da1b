import { InvalidSsmParametersError, type ParameterProblem } from './errors';
import {
  COLLECT_DIAGNOSTICS_PARAMETERS,
  type ParameterSpec,
  SSM_PARAMETERS,
  type SsmDocumentKind,
} from './parameter-specs';

/**
 * Validate SSM document parameters before SendCommand, with the documents' own patterns, so a value SSM or the
 * script would refuse is caught where it can be reported well. Values may be strings, booleans or whole numbers
 * (written as the documents expect); a missing one takes the document's default. Returns typed values and the
 * `Parameters` map SendCommand takes, or an error listing every problem.
 */
export interface CollectDiagnosticsParameters {
  /** ISO 8601, or null to look at the whole boot. */
  killTime: string | null;
  unit: string | null;
  pid: number | null;
  memcgPath: string | null;
  /** The killed process's name as hex of its bytes (see `processHexOf`), or null. */
  processHex: string | null;
  /** Seconds since boot as the kernel stamped the kill, or null. */
  kernelTime: number | null;
  killer: 'kernel' | 'systemd-oomd' | null;
  /** `pressure`: no kill to look for; PSI, smaps_rollup and growth between two samples. */
  mode: 'kill' | 'pressure';
  /** Seconds between pressure mode's two samples (0: one sample, no growth). */
  sampleSeconds: number;
}

export interface AddSwapParameters {
  sizeMiB: number;
  path: string;
  maxDiskSharePercent: number;
  dryRun: boolean;
  /** A drill's step: the script refuses it. */
  drill: boolean;
}

export interface RestartServiceParameters {
  unit: string;
  /** The killed task's memory cgroup, or null when the kill did not print it. */
  memcgPath: string | null;
  dryRun: boolean;
  /** A drill's step: the script refuses it. */
  drill: boolean;
}

/** SendCommand's `Parameters`: every value a one-element list. */
export type SendCommandParameters = Record<string, string[]>;

export type ParameterValidation<T> =
  | { ok: true; value: T; parameters: SendCommandParameters }
  | { ok: false; error: InvalidSsmParametersError };

/** What the script reads an empty `sampleSeconds` as (the document's default). */
const DEFAULT_SAMPLE_SECONDS = Number(COLLECT_DIAGNOSTICS_PARAMETERS.sampleSeconds.default);

export function validateCollectDiagnosticsParameters(
  input: Readonly<Record<string, unknown>>,
): ParameterValidation<CollectDiagnosticsParameters> {
  return validate('collect-diagnostics', input, (v) => ({
    killTime: v.killTime || null,
    unit: v.unit || null,
    pid: v.pid ? Number(v.pid) : null,
    memcgPath: v.memcgPath || null,
    processHex: v.processHex || null,
    kernelTime: v.kernelTime ? Number(v.kernelTime) : null,
    killer: v.killer === 'kernel' || v.killer === 'systemd-oomd' ? v.killer : null,
    mode: v.mode === 'pressure' ? 'pressure' : 'kill',
    sampleSeconds: v.sampleSeconds ? Number(v.sampleSeconds) : DEFAULT_SAMPLE_SECONDS,
  }));
}

export function validateAddSwapParameters(
  input: Readonly<Record<string, unknown>>,
): ParameterValidation<AddSwapParameters> {
  return validate('add-swap', input, (v) => ({
    sizeMiB: Number(v.sizeMiB),
    path: v.path ?? '',
    maxDiskSharePercent: Number(v.maxDiskSharePercent),
    dryRun: v.dryRun === 'true',
    drill: v.drill === 'true',
  }));
}

export function validateRestartServiceParameters(
  input: Readonly<Record<string, unknown>>,
): ParameterValidation<RestartServiceParameters> {
  return validate('restart-service', input, (v) => ({
    unit: v.unit ?? '',
    memcgPath: v.memcgPath || null,
    dryRun: v.dryRun === 'true',
    drill: v.drill === 'true',
  }));
}

/** Whether `value` matches the document parameter's pattern (what SSM's `allowedPattern` checks). */
export function matchesParameterPattern(
  document: SsmDocumentKind,
  parameter: string,
  value: string,
): boolean {
  const spec = SSM_PARAMETERS[document][parameter];
  return spec !== undefined && compiled(spec).test(value);
}

function validate<T>(
  document: SsmDocumentKind,
  input: Readonly<Record<string, unknown>>,
  toValue: (values: Readonly<Record<string, string>>) => T,
): ParameterValidation<T> {
  const specs = SSM_PARAMETERS[document];
  const problems: ParameterProblem[] = [];
  for (const name of Object.keys(input)) {
    if (!Object.hasOwn(specs, name))
      problems.push({ parameter: name, problem: 'unknown', message: 'not a parameter' });
  }
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const text = asText(input[name], spec);
    if (text === undefined) {
      problems.push({ parameter: name, problem: 'missing', message: 'required' });
    } else if (text === null) {
      problems.push({
        parameter: name,
        problem: 'type',
        message: `expected text, a boolean or a whole number, got ${typeOf(input[name])}`,
      });
    } else if (!compiled(spec).test(text)) {
      problems.push({
        parameter: name,
        problem: 'pattern',
        message: `${quote(text)} does not match ${spec.pattern}`,
      });
    } else if (name === 'killTime' && text !== '' && !isRealTime(text)) {
      problems.push({
        parameter: name,
        problem: 'range',
        message: `${quote(text)} is not a real date and time`,
      });
    } else {
      values[name] = text;
    }
  }
  if (problems.length > 0) return { ok: false, error: new InvalidSsmParametersError(document, problems) };
  const parameters: SendCommandParameters = {};
  for (const [name, text] of Object.entries(values)) parameters[name] = [text];
  return { ok: true, value: toValue(values), parameters };
}

/** The value as the document's text; undefined when absent without a default, null when of a wrong type. */
function asText(value: unknown, spec: ParameterSpec): string | null | undefined {
  if (value === undefined || value === null) return spec.default;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

const COMPILED = new Map<string, RegExp>();

function compiled(spec: ParameterSpec): RegExp {
  let regex = COMPILED.get(spec.pattern);
  if (!regex) {
    // No flags: `$` then matches only at the very end, never before a trailing newline.
    regex = new RegExp(spec.pattern);
    COMPILED.set(spec.pattern, regex);
  }
  return regex;
}

/** The pattern admits `2024-02-30T25:61:00Z`; the script's `date -d` would refuse it, so refuse it here too. */
function isRealTime(text: string): boolean {
  const [year, month, day, hour, minute, second] = (text.match(/\d+/g) ?? []).map(Number);
  if (second === undefined || year === undefined || month === undefined || day === undefined) return false;
  if (hour === undefined || minute === undefined || hour > 23 || minute > 59 || second > 59) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function quote(text: string): string {
  const json = JSON.stringify(text);
  return json.length > 60 ? `${json.slice(0, 57)}..."` : json;
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
