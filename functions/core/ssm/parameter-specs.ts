/**
 * The one place that names the SSM documents' parameters and their patterns. Three layers read these same
 * strings: the Lambda's validator (JavaScript `RegExp`), the documents' `allowedPattern` (checked by SSM), and
 * the scripts' own re-validation (bash `[[ =~ ]]`, POSIX ERE; a test compares the scripts' copies with these).
 * So every pattern keeps to the subset the three engines read alike: anchors, bracket expressions without
 * escapes, `{m,n}`, `?`, groups and `|`. No `\d`, no lookaround.
 *
 * Each pattern admits no shell metacharacter, blank, quote, newline or non-ASCII character, so even AWS's
 * fallback for old agents, which pastes values into the script as `{{ }}` text, cannot inject anything.
 */
export type SsmDocumentKind = 'collect-diagnostics' | 'add-swap' | 'restart-service';

export interface ParameterSpec {
  /** The regular expression the whole value must match. */
  readonly pattern: string;
  /** The document's default; a parameter without one must be given. */
  readonly default?: string;
}

/** An ISO 8601 time with an offset, or empty. */
const KILL_TIME =
  '^$|^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,9})?(Z|[+-][0-9]{2}:?[0-9]{2})$';
/** A systemd unit name of any type (systemd's own limit is 255 characters), or empty. */
const ANY_UNIT = '^$|^[A-Za-z0-9][A-Za-z0-9:_.@-]{0,254}$';
/** A `.service` unit, not a bare template (`foo@.service`); 255 characters at most. */
const SERVICE_UNIT = '^[A-Za-z0-9]([A-Za-z0-9:_.@-]{0,245}[A-Za-z0-9:_.-])?[.]service$';
/** A pid (the kernel's pid_max is at most 2^22), or empty. */
const PID = '^$|^[1-9][0-9]{0,6}$';
/**
 * A memory cgroup path as the kernel prints it (`/system.slice/app.service`, `/kubepods/.../<id>`), `/`, or
 * empty. No component may start with a dot, so `.` and `..` cannot climb out of the cgroup tree.
 */
const MEMCG_PATH = '^$|^/$|^(/[A-Za-z0-9_:@-][A-Za-z0-9._:@-]{0,127}){1,16}$';
/**
 * The killed process's name (the kernel's comm: at most 15 bytes) as
 * lowercase hex of its bytes, or empty. Hex because a comm may hold any byte but NUL: a blank, a quote, `$(`,
 * a newline. The script decodes it and compares it byte for byte with the kernel's own line.
 */
const PROCESS_HEX = '^$|^([0-9a-f]{2}){1,15}$';
/** Seconds since boot of the kill as the kernel stamped it (`[ 1234.567890]`), or empty. */
const KERNEL_TIME = '^$|^[0-9]{1,10}([.][0-9]{1,9})?$';
/** Who reported the kill: the kernel's OOM killer or systemd-oomd; empty reads as the kernel. */
const KILLER = '^$|^(kernel|systemd-oomd)$';
/**
 * What the diagnostics are for: after a kill, or a memory-pressure warning before one (PSI, the largest processes'
 * smaps_rollup and their growth between two samples); empty reads as `kill`, so a caller that predates it is
 * unchanged.
 */
const DIAGNOSTICS_MODE = '^$|^(kill|pressure)$';
/** Seconds between pressure mode's two samples, 0 to 60 (0: one sample, no growth); empty reads as 10. */
const SAMPLE_SECONDS = '^$|^([0-9]|[1-5][0-9]|60)$';
/**
 * An absolute file path of at most 8 components of at most 63 characters; no component starts with a dot, so
 * there is no `..` (nor hidden file), and no `//` or trailing slash.
 */
const FILE_PATH = '^(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,62}){1,8}$';
/** 64 to 65536 (MiB), no leading zero: the policy's range, written as a pattern. */
const SWAP_SIZE_MIB =
  '^(6[4-9]|[7-9][0-9]|[1-9][0-9]{2,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-6])$';
/** 1 to 90 (percent). */
const DISK_SHARE_PERCENT = '^([1-9]|[1-8][0-9]|90)$';
const BOOLEAN = '^(true|false)$';

export const COLLECT_DIAGNOSTICS_PARAMETERS = {
  killTime: { pattern: KILL_TIME, default: '' },
  unit: { pattern: ANY_UNIT, default: '' },
  pid: { pattern: PID, default: '' },
  memcgPath: { pattern: MEMCG_PATH, default: '' },
  processHex: { pattern: PROCESS_HEX, default: '' },
  kernelTime: { pattern: KERNEL_TIME, default: '' },
  killer: { pattern: KILLER, default: '' },
  mode: { pattern: DIAGNOSTICS_MODE, default: 'kill' },
  sampleSeconds: { pattern: SAMPLE_SECONDS, default: '10' },
} as const satisfies Record<string, ParameterSpec>;

export const ADD_SWAP_PARAMETERS = {
  sizeMiB: { pattern: SWAP_SIZE_MIB, default: '2048' },
  path: { pattern: FILE_PATH, default: '/swapfile.oom-responder' },
  maxDiskSharePercent: { pattern: DISK_SHARE_PERCENT, default: '25' },
  // Someone running the document by hand from the console gets a dry run unless they say otherwise.
  dryRun: { pattern: BOOLEAN, default: 'true' },
  // "true" for a drill: the script refuses whatever else is asked (a drill never changes a host).
  drill: { pattern: BOOLEAN, default: 'false' },
} as const satisfies Record<string, ParameterSpec>;

export const RESTART_SERVICE_PARAMETERS = {
  unit: { pattern: SERVICE_UNIT },
  // The killed task's memory cgroup, so the script can refuse a unit that ran under a user's manager.
  memcgPath: { pattern: MEMCG_PATH, default: '' },
  dryRun: { pattern: BOOLEAN, default: 'true' },
  drill: { pattern: BOOLEAN, default: 'false' },
} as const satisfies Record<string, ParameterSpec>;

/** Every document's parameters, by document. */
export const SSM_PARAMETERS: {
  readonly [K in SsmDocumentKind]: Readonly<Record<string, ParameterSpec>>;
} = {
  'collect-diagnostics': COLLECT_DIAGNOSTICS_PARAMETERS,
  'add-swap': ADD_SWAP_PARAMETERS,
  'restart-service': RESTART_SERVICE_PARAMETERS,
};
