import { formatKiB } from '../../format/bytes';
import { distinctKillsOf, priorEvents, workerBurstOf } from '../../incident/worker-burst';
import { workloadOf } from '../../workload';
import { advice as adviceOf } from '../advice';
import { context, contradicts, type Evidence, inferred, stated } from '../evidence';
import type { AnalysisFacts } from '../facts';
import { partOf } from '../memory-composition';
import { totalPhrase } from '../memory-composition-line';
import type { Advice, FindingDraft } from '../model';
import { configSize, count, percent, sizeSeries } from '../text';
import { formatSpan, parseTime } from '../time';
import { containerLimitHow } from './container-limit-how';
import { serviceOf, unitLookup } from './unit-hint';

interface KillPoint {
  time: number | null;
  rssKb: number | null;
}

/** How each kind of process is profiled: the first step to find a leak is to see what grows. */
const PROFILING: readonly [RegExp, string][] = [
  [
    /^java$/,
    'take two heap dumps hours apart (`jcmd <pid> GC.heap_dump /tmp/heap.hprof`) and compare them (Eclipse MAT); run with `-XX:+HeapDumpOnOutOfMemoryError`',
  ],
  [
    /^(?:node|nodejs)$/,
    'compare two heap snapshots (`node --heapsnapshot-near-heap-limit=2`, or `--inspect` and Chrome DevTools)',
  ],
  [/^python/, 'compare `tracemalloc` snapshots, or run it under `memray`'],
  [/^(?:ruby|puma|unicorn|sidekiq)/, 'dump the heap with `ObjectSpace.dump_all` twice and diff the dumps'],
  [
    /^(?:mysqld|mariadbd)$/,
    'check its memory settings first: `innodb_buffer_pool_size` plus per-connection buffers times `max_connections`',
  ],
  [/^(?:postgres|postmaster)$/, 'check `shared_buffers` and `work_mem` times the number of connections'],
  [/^redis-server$/, 'set `maxmemory` with an eviction policy (`maxmemory-policy allkeys-lru`)'],
  [/^mongod$/, 'cap the WiredTiger cache (`storage.wiredTiger.engineConfig.cacheSizeGB`)'],
];

/**
 * A leak: the same process killed again and again on this instance, its RSS at each kill larger than the last
 * (history holds the kills of the last 7 days). Repeated kills at a steady size are reported too, weaker: the
 * process keeps needing more than it gets, or leaks up to a limit that hides the growth.
 */
export function memoryLeak(facts: AnalysisFacts): FindingDraft | null {
  const name = facts.kill.process;
  if (name === null || facts.kill.kind !== 'kernel') return null;
  // Workers of a pool killed one after another are different processes: their sizes show no growth.
  if (workerBurstOf(facts.incident.kills, name)) return null;
  const series = killSeries(facts, name);
  if (series.length < 2) return null;
  const sizes = series.map((point) => point.rssKb).filter((kb): kb is number => kb !== null);
  const times = series.map((point) => point.time).filter((ms): ms is number => ms !== null);
  const spanMs = times.length >= 2 ? Math.max(...times) - Math.min(...times) : null;
  const over = `over ${count(series.length, 'kill')}${spanMs === null ? '' : ` in ${formatSpan(spanMs)}`}`;
  const growing = isGrowing(sizes);
  if (growing) {
    const first = sizes[0] ?? 0;
    const last = sizes[sizes.length - 1] ?? 0;
    // Each kill's size is the kernel's; every kill past the second that is larger again is one more witness.
    const evidence: Evidence[] = [stated(`RSS at kill grew ${sizeSeries(shortened(sizes))} ${over}`)];
    if (sizes.length >= 3) {
      evidence.push(stated(`none of the ${sizes.length} kills was more than 5% smaller than the one before`));
    }
    if (sizes.length >= 4) {
      evidence.push(
        stated(`the growth held over ${sizes.length - 1} restarts, not one unlucky pair of kills`),
      );
    }
    if (spanMs !== null && spanMs >= 3_600_000) {
      evidence.push(
        inferred(
          `about ${formatKiB(((last - first) / spanMs) * 3_600_000)} per hour between the first and the last kill`,
        ),
      );
    }
    evidence.push(...anonLine(facts, true));
    return {
      family: 'memory-leak',
      title: `${name} keeps growing until it is killed: likely a memory leak (${count(series.length, 'kill')} on this instance)`,
      evidence,
      recommendation: advice(facts, name, Math.max(...sizes)),
    };
  }
  if (series.length < 3) return null;
  const span = spanMs === null ? '' : ` in ${formatSpan(spanMs)}`;
  const range =
    sizes.length > 0
      ? `; RSS at kill stayed between ${formatKiB(Math.min(...sizes))} and ${formatKiB(Math.max(...sizes))}`
      : '';
  return {
    family: 'memory-leak',
    title: `${name} was killed ${series.length} times on this instance${span}: it needs more than it gets, or leaks up to a limit`,
    evidence: [
      stated(`killed ${series.length} times${span}${range}`),
      contradicts('its RSS at kill did not grow: a leak would show as growth, unless a limit caps it'),
      ...anonLine(facts, false),
    ],
    recommendation: advice(facts, name, sizes.length > 0 ? Math.max(...sizes) : null),
  };
}

/** What the report's own breakdown says of anonymous memory at this kill: a leak grows anon, not caches. */
/**
 * The report's own anon figure. Anonymous memory filling the cgroup is what a leak fills: support for a growing
 * series; for sizes that did not grow it says no more than "needs more", so it is context.
 */
function anonLine(facts: AnalysisFacts, growing: boolean): Evidence[] {
  const { composition } = facts;
  const anon = partOf(composition, 'anon');
  if (composition === null || anon === null) return [];
  const filled = composition.dominant === anon;
  const text = `the report's breakdown at this kill: anon ${formatKiB(anon.kb)} ${totalPhrase(composition)} (${percent(anon.kb, composition.totalKb)})${filled ? ': anonymous memory filled it' : ''}`;
  return [filled && growing ? stated(text) : context(text)];
}

/** Prior kills (oldest first), then this incident's kills of the same process. */
function killSeries(facts: AnalysisFacts, name: string): KillPoint[] {
  const { incident } = facts;
  // An earlier incident's pool burst counts once, without a size: its workers are different processes.
  const prior = priorEvents(incident.history.filter((kill) => kill.incidentId !== incident.id))
    .events.map((kill) => ({ time: parseTime(kill.time), rssKb: kill.rssKb }))
    .sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
  const current = distinctKillsOf(incident.kills, name).map((kill, i) => ({
    time: parseTime(kill.time) ?? (i === 0 ? parseTime(incident.openedAt) : null),
    rssKb: kill.rssKb,
  }));
  return [...prior, ...current];
}

/** Larger at the end than at the start by 10% or more, and never dropping by more than 5% on the way. */
function isGrowing(sizes: readonly number[]): boolean {
  if (sizes.length < 2) return false;
  const first = sizes[0] ?? 0;
  const last = sizes[sizes.length - 1] ?? 0;
  const needed = sizes.length === 2 ? 1.2 : 1.1;
  if (first <= 0 || last < first * needed) return false;
  return sizes.every((kb, i) => i === 0 || kb >= (sizes[i - 1] ?? 0) * 0.95);
}

/** At most six sizes in an evidence line: the first two and the last four. */
function shortened(sizes: readonly number[]): number[] {
  return sizes.length <= 6 ? [...sizes] : [...sizes.slice(0, 2), ...sizes.slice(-4)];
}

function advice(facts: AnalysisFacts, name: string, largestKb: number | null): Advice {
  const profile =
    PROFILING.find(([pattern]) => pattern.test(name))?.[1] ??
    'record its growth with `pmap -x <pid>` snapshots and profile it with heaptrack or `valgrind --tool=massif`';
  const capKb = [largestKb, facts.ramKb === null ? null : facts.ramKb * 0.75].filter(
    (kb): kb is number => kb !== null,
  );
  const cap = capKb.length > 0 ? configSize(Math.min(...capKb), 'systemd') : '<size>';
  const workload = workloadOf(facts.kill.container, facts.diagnostics?.containers ?? []);
  if (workload) {
    return adviceOf(
      `Find what grows: ${profile}. Until it is fixed, keep a memory limit on ${containerLimitHow(workload, facts.kubernetes, cap)} so the leak restarts only that container.`,
    );
  }
  const unit = serviceOf(facts.kill);
  const edit = unit
    ? `run \`sudo systemctl edit ${unit}\``
    : `${unitLookup(name)} run \`sudo systemctl edit\` on it`;
  return adviceOf(
    `Find what grows: ${profile}. Until it is fixed, contain it so the leak restarts only this service instead of starving the host (${edit} and add these lines):`,
    ['[Service]', `MemoryMax=${cap}`, 'Restart=on-failure'],
  );
}
