import { gunzipSync } from 'node:zlib';
import {
  decodeSubscriptionEvent,
  type SubscriptionBatch,
} from '../functions/core/cloudwatch/subscription-payload';
import { DEFAULT_DETECT_CONFIG } from '../functions/core/detect/config';
import { parseBatch } from '../functions/core/detect/detect-batch';
import { groupByHostAndCooldown } from '../functions/core/detect/host-groups';
import type { Kill } from '../functions/core/kernel-log';
import { isoOfMillis } from '../functions/core/kernel-log/report';
import { digitsEnd, integerIn, numberAfter } from '../functions/core/kernel-log/scan';
import { realisticEvent } from './detector.bench';

/**
 * How fast a JavaScript parser of the detector bench's batch could be: a deliberately crude parse, not a parser.
 * Per event it does only what the batch's line shapes need: find the body after the line's prefix (syslog,
 * `/dev/kmsg`, dmesg stamps), tell the line's kind with `indexOf`, read a victim line's pid, comm and memory fields
 * into a kill of the real shape, keep the trigger, selection and summary fields per host. It does none of what the
 * parser must: no check that a line is the kernel's, no report boundaries, clocks, task tables or lost newlines, no
 * exact answers (it misses the kills that only a summary names). Beside it, in the same run: the decode floor the
 * goal is set against (gunzip + JSON.parse), the detector's own decode and its grouping, and what 2x the floor
 * leaves of them for parsing (README, Performance, says what it showed).
 *
 *     npx -y node@24 --import tsx bench/detector-lower-bound.ts [runs=20]
 */
const runs = Number(process.argv[2] ?? 20);

const event = realisticEvent();
const decodedBytes = gunzipSync(Buffer.from(event.awslogs.data, 'base64')).length;
const batch = decodeSubscriptionEvent(event, decodedBytes);
const kills = parseBatch(batch);

/** What the bound keeps of a host's report until its victim line: the fields a kill copies from it. */
interface HostFacts {
  triggeredBy: string | null;
  gfpMask: string | null;
  order: number | null;
  score: number | null;
  constraint: string | null;
  oomMemcg: string | null;
  taskMemcg: string | null;
}

function lowerBound(input: SubscriptionBatch, readFields: boolean): { kill: Kill; observedAtMs: number }[] {
  const hosts = new Map<string, HostFacts>();
  const observed: { kill: Kill; observedAtMs: number }[] = [];
  for (const logEvent of input.logEvents) {
    const line = logEvent.message;
    let at = line.charCodeAt(0) === 60 /* < */ ? line.indexOf('>') + 1 : 0;
    let host: string | null = null;
    const first = line.charCodeAt(at);
    // A syslog stamp: a month's capital, a space at 3, then the day's digit or its padding space.
    const dayFirst = line.charCodeAt(at + 4);
    if (
      first >= 65 &&
      first <= 90 &&
      line.charCodeAt(at + 3) === 32 &&
      (dayFirst === 32 || (dayFirst >= 48 && dayFirst <= 57))
    ) {
      const hostEnd = line.indexOf(' ', at + 16);
      host = line.slice(at + 16, hostEnd);
      at = line.startsWith('kernel: ', hostEnd + 1) ? hostEnd + 9 : hostEnd + 1;
    } else if (first >= 48 && first <= 57) {
      const semicolon = line.indexOf(';', at);
      if (semicolon > 0 && semicolon < at + 40) at = semicolon + 1;
      else {
        // An RFC 3339 stamp, then the host.
        const hostStart = line.indexOf(' ', at) + 1;
        const hostEnd = line.indexOf(' ', hostStart);
        host = line.slice(hostStart, hostEnd);
        at = hostEnd + 9;
      }
    } else if (line.startsWith('user', at)) at = line.indexOf('[', at);
    let kernelTime: number | null = null;
    if (line.charCodeAt(at) === 91 /* [ */) {
      const close = line.indexOf(']', at);
      let start = at + 1;
      while (line.charCodeAt(start) === 32) start++;
      const dot = digitsEnd(line, start, 10);
      kernelTime = integerIn(line, start, dot) + integerIn(line, dot + 1, close) / 1e6;
      at = close + 2;
    }
    const key = host ?? input.logStream;
    let facts = hosts.get(key);
    if (!facts) {
      facts = {
        triggeredBy: null,
        gfpMask: null,
        order: null,
        score: null,
        constraint: null,
        oomMemcg: null,
        taskMemcg: null,
      };
      hosts.set(key, facts);
    }
    const victim = line.indexOf('illed process ', at);
    if (victim >= 0) {
      const pidStart = victim + 14;
      const pidEnd = digitsEnd(line, pidStart, 11);
      const close = line.indexOf(') ', pidEnd);
      const ms = logEvent.timestamp;
      const kill = killOf(line, close < 0 ? line.length : close + 1, readFields, facts);
      kill.pid = integerIn(line, pidStart, pidEnd);
      kill.process = line.slice(pidEnd + 2, close < 0 ? line.length : close);
      kill.hostname = host;
      kill.time = isoOfMillis(ms);
      kill.kernelTime = kernelTime;
      kill.logGroup = input.logGroup;
      kill.logStream = input.logStream;
      kill.eventId = logEvent.id;
      observed.push({ kill, observedAtMs: ms });
      facts.triggeredBy = null;
      facts.constraint = null;
      facts.score = null;
      continue;
    }
    const invoked = line.indexOf(' invoked oom-killer: ', at);
    if (invoked >= 0) {
      facts.triggeredBy = line.slice(at, invoked);
      const mask = line.indexOf('gfp_mask=', invoked);
      const maskEnd = line.indexOf(',', mask);
      facts.gfpMask = line.slice(mask + 9, maskEnd);
      facts.order = numberAfter(line, 'order=', maskEnd, line.length);
      continue;
    }
    const summary = line.indexOf('oom-kill:', at);
    if (summary >= 0) {
      const constraintEnd = line.indexOf(',', summary);
      facts.constraint = line.slice(summary + 20, constraintEnd);
      const oomMemcg = line.indexOf(',oom_memcg=', constraintEnd);
      const taskMemcg = line.indexOf(',task_memcg=', constraintEnd);
      const task = line.indexOf(',task=', constraintEnd);
      facts.oomMemcg = oomMemcg < 0 ? null : line.slice(oomMemcg + 11, taskMemcg < 0 ? task : taskMemcg);
      facts.taskMemcg = taskMemcg < 0 ? null : line.slice(taskMemcg + 12, task);
      continue;
    }
    const selected = line.indexOf('ill process ', at);
    if (selected >= 0) facts.score = numberAfter(line, 'score ', selected, line.length);
  }
  return observed;
}

/** One empty task table for every kill, as the parser shares one. */
const NO_TASKS: Kill['tasks'] = [];

/**
 * A kill of the parser's shape, every field written once, the memory fields read after the comm at `from`. Written
 * out rather than built by the parser's `baseKill` with the victim's fields assigned after it: that build measured
 * 3-4 ms slower over the batch (crude parse 14.4-16.6 ms against 10.8-13.6, alternated, Node 24, 2026-12-07), and a
 * bound should take the cheaper way.
 */
function killOf(line: string, from: number, readFields: boolean, facts: HostFacts): Kill {
  // Without the fields, the limit is the start: every read answers null at once.
  const limit = readFields ? Math.min(line.length, from + 400) : from;
  return {
    kind: 'kernel',
    pid: null,
    process: null,
    totalVmKb: fieldOf(line, 'total-vm:', from, limit) ?? fieldOf(line, 'vsz:', from, limit),
    anonRssKb: fieldOf(line, 'anon-rss:', from, limit),
    fileRssKb: fieldOf(line, 'file-rss:', from, limit),
    shmemRssKb: fieldOf(line, 'shmem-rss:', from, limit),
    pgtablesKb: fieldOf(line, 'pgtables:', from, limit),
    uid: fieldOf(line, 'UID:', from, limit),
    oomScoreAdj: fieldOf(line, 'oom_score_adj:', from, limit),
    score: facts.score,
    constraint: facts.constraint,
    cgroup: facts.constraint === 'CONSTRAINT_MEMCG',
    oomMemcg: facts.oomMemcg,
    taskMemcg: facts.taskMemcg,
    triggeredBy: facts.triggeredBy,
    triggeredByPid: null,
    gfpMask: facts.gfpMask,
    order: facts.order,
    hostname: null,
    time: null,
    kernelTime: null,
    memoryUsageKb: null,
    memoryLimitKb: null,
    memoryFailcnt: null,
    memswUsageKb: null,
    memswLimitKb: null,
    kmemUsageKb: null,
    kmemLimitKb: null,
    memcgSwapUsageKb: null,
    memcgSwapLimitKb: null,
    memcgStats: null,
    swapTotalKb: null,
    swapFreeKb: null,
    memInfo: null,
    ramPages: null,
    tasks: NO_TASKS,
    systemdUnit: null,
    container: null,
    kernelVersion: null,
    oomGroupMemcg: null,
    reapedAnonRssKb: null,
    reason: null,
    oomdCandidate: null,
    transport: 'cloudwatch',
    origin: 'syslog-tag',
    kernelOnly: false,
    logGroup: null,
    logStream: null,
    eventId: null,
  };
}

/** `numberAfter`, skipped when the range is empty. */
function fieldOf(line: string, key: string, from: number, limit: number): number | null {
  return limit > from ? numberAfter(line, key, from, limit) : null;
}

const best = new Map<string, number>();
function time(step: string, task: () => unknown): void {
  const start = process.hrtime.bigint();
  task();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  best.set(step, Math.min(best.get(step) ?? Number.POSITIVE_INFINITY, ms));
}

let boundKills = 0;
for (let i = 0; i < runs; i++) {
  time('floor', () => JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8')));
  time('decode', () => decodeSubscriptionEvent(event, decodedBytes));
  time('group', () => groupByHostAndCooldown(kills, batch.logStream, DEFAULT_DETECT_CONFIG.cooldownMs));
  time('bound', () => {
    boundKills = lowerBound(batch, true).length;
  });
  time('bound without fields', () => lowerBound(batch, false));
  time('parser', () => parseBatch(batch));
}

const ms = (step: string): number => best.get(step) ?? Number.NaN;
const left = 2 * ms('floor') - ms('decode') - ms('group');
console.log(
  `${process.version}, best of ${runs} (${batch.logEvents.length} events): floor ${ms('floor').toFixed(1)} ms, ` +
    `decode ${ms('decode').toFixed(1)}, group ${ms('group').toFixed(1)}: 2x the floor leaves ${left.toFixed(1)} ms to parse\n` +
    `  crude parse ${ms('bound').toFixed(1)} ms (${boundKills} kills; ${ms('bound without fields').toFixed(1)} without reading the memory fields), ` +
    `the parser ${ms('parser').toFixed(1)} ms (${kills.length} kills): at best ` +
    `${((ms('decode') + ms('bound') + ms('group')) / ms('floor')).toFixed(2)}x the floor`,
);
