import { formatKiB } from '../../format/bytes';
import { MAX_TASKS_KEPT } from '../../incident/build';
import { workerBurstOf } from '../../incident/worker-burst';
import { prose } from '../advice';
import { type Evidence, inferred, measured, stated } from '../evidence';
import { type AnalysisFacts, taskRssKb } from '../facts';
import type { FindingDraft } from '../model';
import { percent, who } from '../text';
import { formatSpan } from '../time';

/**
 * Kernel threads come many to a name (one per CPU) and hold no user memory: never a storm. The diagnostics script
 * already leaves out processes without RSS; this guards against a summary that did not.
 */
const KERNEL_THREAD =
  /^(?:kworker|ksoftirqd|migration|cpuhp|rcu_|kthreadd|idle_inject|irq\/|watchdog|kswapd|jbd2\/|xfsaild)/;

interface Storm {
  name: string;
  count: number;
  /** Resident memory of those processes together, when the kernel's table showed it. */
  rssKb: number | null;
  /** Counted in a task table the incident trimmed to its largest rows: there may be more. */
  lowerBound: boolean;
  /** The count itself, and what a heuristic reads into it (a known pool server, a count no host runs normally). */
  evidence: Evidence[];
}

/**
 * A fork or connection storm: many processes of one name (workers of a pool without a cap, a fork loop, a flood
 * of SSH or database connections). Read from the diagnostics' process counts, and from the kernel's task table
 * when there are no diagnostics (the incident keeps only the largest rows, so those counts are a lower bound).
 */
export function processStorm(facts: AnalysisFacts): FindingDraft | null {
  const counted = fromDiagnostics(facts);
  const killed = fromKills(facts);
  const tabled = fromTaskTable(facts);
  const storm = counted ?? killed ?? tabled;
  if (!storm) return null;
  const agree = counted !== null && tabled !== null && tabled.name === counted.name;
  const evidence = agree ? [...storm.evidence, ...tabled.evidence] : [...storm.evidence];
  if (killed && killed !== storm && killed.name === storm.name) evidence.push(...killed.evidence);
  const trigger = facts.trigger?.name === storm.name ? facts.trigger : null;
  if (trigger || facts.victim.name === storm.name) {
    const role = trigger ? 'invoked the OOM killer' : 'was the victim';
    evidence.push(
      stated(`one of them, ${who(storm.name, trigger ? trigger.pid : facts.victim.pid)}, ${role}`),
    );
  }
  return {
    family: 'process-storm',
    title: counted
      ? `${counted.count} ${counted.name} processes: a fork or connection storm`
      : storm === killed
        ? killedTitle(storm)
        : tableTitle(storm, facts),
    evidence,
    recommendation: prose(advice(facts, storm.name, perProcess(facts, storm.name))),
  };
}

/**
 * What one of them holds: from the kernel's table (at the kill), else the largest of the killed workers (what a
 * worker can grow to is what the pool must be sized for), else the diagnostics' largest processes.
 */
function perProcess(facts: AnalysisFacts, name: string): PerWorker | null {
  const sizes = facts.kill.tasks
    .filter((row) => row.name === name)
    .map((row) => taskRssKb(row, facts.pageKb))
    .filter((kb): kb is number => kb !== null);
  if (sizes.length === 0) {
    const killedKb = (workerBurstOf(facts.incident.kills, name)?.rssKb ?? []).filter(
      (kb): kb is number => kb !== null,
    );
    if (killedKb.length > 0) return { kb: Math.max(...killedKb), from: 'worker' };
  }
  const fromNow = (facts.diagnostics?.topProcesses ?? []).filter((p) => p.comm === name).map((p) => p.rssKb);
  const pool = sizes.length > 0 ? sizes : fromNow;
  return pool.length === 0
    ? null
    : { kb: pool.reduce((sum, kb) => sum + kb, 0) / pool.length, from: 'process' };
}

/** Names whose many processes are a pool by design: their workers dying one by one are the pool outgrowing memory. */
const POOL_SERVERS =
  /^(?:apache2|httpd|php-fpm.*|php\d*-fpm.*|nginx|gunicorn|uwsgi|puma|unicorn|sidekiq|celery|postgres|postmaster)$/;

/** Several workers of one pool killed within minutes, from the kill lines themselves. */
function fromKills(facts: AnalysisFacts): Storm | null {
  const burst = workerBurstOf(facts.incident.kills, facts.kill.process);
  if (!burst) return null;
  const sizes = burst.rssKb.filter((kb): kb is number => kb !== null);
  const within = burst.spanMs === null ? '' : ` within ${formatSpan(burst.spanMs)}`;
  const each =
    sizes.length === 0
      ? ''
      : `, ${formatKiB(Math.min(...sizes))} to ${formatKiB(Math.max(...sizes))} each at its kill`;
  const pool = POOL_SERVERS.test(burst.name);
  return {
    name: burst.name,
    count: burst.pids.length,
    rssKb: null,
    lowerBound: false,
    evidence: [
      stated(
        `${burst.pids.length} different ${burst.name} processes killed${within} (pids ${burst.pids.join(', ')})${each}${pool ? '' : ': a pool of workers, or a service restarted and killed again'}`,
      ),
      ...(pool ? [inferred(`${burst.name} runs a pool of workers by design`)] : []),
    ],
  };
}

function killedTitle(storm: Storm): string {
  return `${storm.count} ${storm.name} workers killed one after another: the pool is sized for more memory than there is`;
}

function tableTitle(storm: Storm, facts: AnalysisFacts): string {
  const held = storm.rssKb === null ? '' : ` held ${formatKiB(storm.rssKb)}${shareOf(storm.rssKb, facts)}`;
  return `${storm.lowerBound ? 'At least ' : ''}${storm.count} ${storm.name} processes${held} at the kill: a pool or fork storm without a cap`;
}

function shareOf(kb: number, facts: AnalysisFacts): string {
  const wholeKb = facts.limit?.limitKb ?? facts.ramKb;
  return wholeKb ? ` (${percent(kb, wholeKb)} of ${facts.limit ? 'the limit' : 'RAM'})` : '';
}

function fromDiagnostics(facts: AnalysisFacts): Storm | null {
  const diagnostics = facts.diagnostics;
  if (!diagnostics) return null;
  const top = diagnostics.processCounts.filter((entry) => !isKernelThread(entry.name))[0];
  if (!top) return null;
  const total = diagnostics.processTotal;
  const share = total ? ` of ${total} processes (${percent(top.count, total)})` : '';
  const running = measured(`${top.count} ${top.name} processes running${share} when the diagnostics ran`);
  const storm = { name: top.name, count: top.count, rssKb: null, lowerBound: false };
  if (top.count >= 256) {
    const many = inferred(`${top.count} processes of one name is more than a host runs in normal operation`);
    return { ...storm, evidence: [running, many] };
  }
  if (top.count >= 64 && (total === null || top.count >= total * 0.2)) {
    const most = total
      ? [inferred(`one name holds ${percent(top.count, total)} of the host's processes`)]
      : [];
    return { ...storm, evidence: [running, ...most] };
  }
  return null;
}

function fromTaskTable(facts: AnalysisFacts): Storm | null {
  const groups = new Map<string, { count: number; rssKb: number }>();
  let tableKb = 0;
  for (const row of facts.kill.tasks) {
    const rssKb = taskRssKb(row, facts.pageKb) ?? 0;
    tableKb += rssKb;
    const group = groups.get(row.name) ?? { count: 0, rssKb: 0 };
    group.count++;
    group.rssKb += rssKb;
    groups.set(row.name, group);
  }
  const ranked = [...groups].sort(
    (a, b) => b[1].count - a[1].count || b[1].rssKb - a[1].rssKb || (a[0] < b[0] ? -1 : 1),
  );
  const [name, group] = ranked[0] ?? [];
  if (!name || !group || group.count < 10 || isKernelThread(name)) return null;
  const wholeKb = facts.limit?.limitKb ?? facts.ramKb;
  const share = wholeKb ? group.rssKb / wholeKb : null;
  if (share === null ? group.rssKb < tableKb * 0.5 : share < 0.1) return null;
  const of = wholeKb ? shareOf(group.rssKb, facts) : ` (${percent(group.rssKb, tableKb)} of the table)`;
  return {
    name,
    count: group.count,
    rssKb: group.rssKb,
    lowerBound: facts.kill.tasks.length >= MAX_TASKS_KEPT,
    evidence: [
      stated(
        `${group.count} of the ${facts.kill.tasks.length} largest tasks in the kernel's table are ${name}, holding ${formatKiB(group.rssKb)} together${of}`,
      ),
      ...(share !== null && share >= 0.25
        ? [inferred(`a quarter or more of ${facts.limit ? 'the limit' : 'RAM'} in one name's processes`)]
        : []),
    ],
  };
}

/** What one worker holds, and where that figure comes from: the sizing advice shows its arithmetic. */
interface PerWorker {
  kb: number;
  /** `process` (the kernel's table, or the diagnostics), `worker` (the largest of the workers killed). */
  from: 'process' | 'worker';
}

/**
 * How many workers fit: 70% of the limit (or RAM) divided by one worker's RSS, leaving the rest for the page
 * cache and everything else. The count is null when the memory they share is unknown; the sentence then gives
 * the count per GiB, so the figure from the kills is still there to size with.
 */
function sizing(facts: AnalysisFacts, per: PerWorker | null): { cap: number | null; text: string } {
  if (per === null) return { cap: null, text: '' };
  const wholeKb = facts.limit?.limitKb ?? facts.ramKb;
  const each = per.from === 'worker' ? 'per worker (the largest killed)' : 'per process';
  if (!wholeKb) {
    const perGiB = Math.max(1, Math.floor((1024 * 1024 * 0.7) / per.kb));
    return {
      cap: null,
      text: ` At ${formatKiB(per.kb)} ${each}, each GiB given to the pool holds ${perGiB} (70% of it, the rest for the page cache).`,
    };
  }
  const cap = Math.max(1, Math.floor((wholeKb * 0.7) / per.kb));
  return { cap, text: ` At ${formatKiB(per.kb)} ${each}, ${cap} fit in 70% of ${formatKiB(wholeKb)}.` };
}

function advice(facts: AnalysisFacts, name: string, per: PerWorker | null): string {
  const { cap, text: sized } = sizing(facts, per);
  const set = (setting: string) => (cap === null ? '' : ` ${setting.replace(/\bN\b/g, String(cap))}.`);
  if (/php.*fpm/.test(name))
    return `Cap the PHP-FPM pool: \`pm.max_children\` in the pool config, sized as (memory for PHP) / (RSS per worker).${sized}${set('`pm.max_children = N`')} Use \`pm = dynamic\` or \`ondemand\` with \`pm.max_requests\` to recycle workers.`;
  if (/^(apache2|httpd)$/.test(name))
    return `Cap Apache's workers: \`MaxRequestWorkers\` (and \`ServerLimit\`, which bounds it) sized as (memory for Apache) / (RSS per worker).${sized}${set('`MaxRequestWorkers N` and `ServerLimit N` in the MPM config')} \`MaxConnectionsPerChild\` recycles a worker that grows.`;
  if (/^(postgres|postmaster)$/.test(name))
    return `One backend per connection: lower \`max_connections\` and put a pooler (PgBouncer, RDS Proxy) in front; find the client that opens them (\`SELECT client_addr, count(*) FROM pg_stat_activity GROUP BY 1\`).${sized}`;
  if (name === 'nginx')
    return `Nginx's memory grows with \`worker_processes\` times \`worker_connections\` (and its buffers and caches): lower them, or the buffer sizes (\`client_body_buffer_size\`, \`proxy_buffers\`).${sized}${set('`worker_processes` at most N')}`;
  if (name === 'gunicorn')
    return `Cap the workers: \`--workers\`, sized as (memory for the app) / (RSS per worker), and recycle them with \`--max-requests\` (and \`--max-requests-jitter\`).${sized}${set('`--workers N`')}`;
  if (name === 'uwsgi')
    return `Cap the workers: \`processes\` (or \`workers\`), sized as (memory for the app) / (RSS per worker), and recycle them with \`max-requests\` (or \`reload-on-rss\`).${sized}${set('`processes = N`')}`;
  if (/^(puma|unicorn)$/.test(name))
    return `Cap the workers (\`workers\` in puma.rb, \`worker_processes\` for unicorn), sized as (memory for the app) / (RSS per worker); a worker killer (puma_worker_killer) recycles a worker that grows.${sized}`;
  if (name === 'sshd')
    return 'A flood of SSH connections (often password guessing): limit unauthenticated connections with `MaxStartups 10:30:60` in sshd_config, restrict port 22 in the security group to known addresses, or use SSM Session Manager instead of open SSH.';
  return `Find what spawns them (\`ps -eo ppid,comm | sort | uniq -c | sort -rn | head\`) and cap it: the pool or concurrency setting of the application, and set \`TasksMax=\` in its systemd unit as a backstop, well above the normal \`Tasks:\` figure of \`systemctl status\` (threads count too).${sized}`;
}

function isKernelThread(name: string): boolean {
  return KERNEL_THREAD.test(name.replace(/^\[|\]$/g, ''));
}
