// Which V8 flags the CLI sets for itself before its code loads. Plain JavaScript, like the rest of bin/: it runs
// before anything can compile TypeScript.

/** Set to `default` to leave V8's own tiering as it is (an escape hatch should a V8 release misbehave). */
export const JIT_ENV = 'OOM_RESPONDER_JIT';

/** Flags that choose V8's tiers or how they inline: when the user gave one, the CLI sets none of its own. */
const TIER_FLAG =
  /^--(?:no-)?(?:turbofan|opt|maglev|sparkplug|turbo-inlining|jitless|always-turbofan|max-inlined-bytecode-size)/;

/**
 * The V8 flags for a run of the CLI: seconds, not the hours V8's defaults are tuned for. TurboFan, V8's top
 * tier, compiles the parser's hot functions with everything they call inlined: on a 200 MiB log that was 47
 * functions and 309 ms of compile time (Node 24, 2 vCPU), on the same two cores as the parse and the file reads,
 * for code that runs for a few hundred milliseconds. So:
 *
 * - V8 12 and later (Node 22+), where Maglev, the mid tier, is on: no TurboFan (`--no-turbofan`). The `parse` of
 *   200 MiB took 0.36-0.38 s against 0.48-0.57 s with V8's defaults (Node 24.21, alternated runs, 2026-12-07;
 *   README, Performance).
 * - Older V8 (Node 20), where TurboFan is the only optimizing tier: TurboFan without inlining
 *   (`--no-turbo-inlining`): 0.50-0.62 s against 0.68-0.70 s (Node 20.20, the same runs).
 * - None when the user chose tiers (one of `TIER_FLAG` in `execArgv` or `NODE_OPTIONS`), when `OOM_RESPONDER_JIT`
 *   is `default`, or for a V8 version it cannot read.
 *
 * Node warns that flags set after start may do nothing or worse; these two only steer which code the optimizing
 * compiler makes, and the bin sets them before loading any of the CLI.
 *
 * @param {string} v8Version `process.versions.v8`
 * @param {{ execArgv?: readonly string[], nodeOptions?: string, jit?: string }} [given]
 * @returns {string[]}
 */
export function shortRunV8Flags(v8Version, given = {}) {
  if (given.jit === 'default') return [];
  const userFlags = [...(given.execArgv ?? []), ...(given.nodeOptions ?? '').split(/\s+/)];
  if (userFlags.some((flag) => TIER_FLAG.test(flag))) return [];
  const major = /^(\d+)\./.exec(v8Version);
  if (!major) return [];
  return Number(major[1]) >= 12 ? ['--no-turbofan'] : ['--no-turbo-inlining'];
}
