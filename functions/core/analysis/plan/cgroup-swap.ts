import type { CgroupSwapLimit, DiagnosticsSummary } from '../../diagnostics/model';
import type { AnalysisFacts } from '../facts';

/** What the killed cgroup's swap allowance means for adding host swap. */
export type CgroupSwapVerdict =
  | { kind: 'not-confined' }
  | { kind: 'may-swap' }
  | { kind: 'cannot-swap'; reason: string }
  | { kind: 'unknown'; note: string };

const WHY_NOT: Readonly<Record<CgroupSwapLimit['source'], string>> = {
  'memory.swap.max': 'memory.swap.max is 0',
  'memory.memsw.limit_in_bytes': 'memory+swap is capped at the memory limit',
  'memory.swappiness': 'memory.swappiness is 0',
  unaccounted: 'swap is not accounted per cgroup',
};

/**
 * A kill confined to a memory cgroup is helped by host swap only if the cgroup may swap: with v2
 * `memory.swap.max` 0, v1 memory+swap capped at the memory limit, or v1 `memory.swappiness` 0, the cgroup
 * meets its limit exactly as before. The diagnostics report the smallest allowance from the victim's cgroup up
 * to the root (from the nearest ancestor when the cgroup is gone: a 0 there binds it too, a larger one says
 * nothing about it).
 */
export function cgroupSwapVerdict(facts: AnalysisFacts, diagnostics: DiagnosticsSummary): CgroupSwapVerdict {
  if (facts.scope !== 'cgroup') return { kind: 'not-confined' };
  const killed = facts.kill.taskMemcg ?? facts.kill.oomMemcg;
  const state = diagnostics.cgroup;
  const name = killed ?? state?.path ?? 'the killed cgroup';
  const unknown = (why: string): CgroupSwapVerdict => ({
    kind: 'unknown',
    note: `whether ${name} may swap is unknown (${why})`,
  });
  if (!state?.swap || state.path === '/') return unknown('the diagnostics do not say');
  const same = killed === null || killed === state.path;
  const ancestor = killed?.startsWith(`${state.path}/`) ?? false;
  if (!same && !ancestor) return unknown(`the diagnostics describe ${state.path}`);
  if (state.swap.limitBytes === 0) {
    const where = same ? '' : ` on ${state.path}`;
    return {
      kind: 'cannot-swap',
      reason: `host swap cannot help: ${name} may not swap (${WHY_NOT[state.swap.source]}${where}); raise the cgroup's limit or let it swap instead`,
    };
  }
  return same ? { kind: 'may-swap' } : unknown(`it is gone; its parent ${state.path} may swap`);
}
