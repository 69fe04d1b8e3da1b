import { gunzipSync } from 'node:zlib';
import { decodeSubscriptionEvent } from '../functions/core/cloudwatch/subscription-payload';
import { DEFAULT_DETECT_CONFIG } from '../functions/core/detect/config';
import { parseBatch } from '../functions/core/detect/detect-batch';
import { groupByHostAndCooldown } from '../functions/core/detect/host-groups';
import { realisticEvent } from './detector.bench';

/**
 * A quick detector bench for iterating (`npm run bench` takes minutes): the batch of `detector.bench.ts`, each
 * step of the pure path timed on its own (best of `runs`) beside the decode floor.
 *
 *     npx tsx bench/detector-quick.ts [runs=15] [parse]
 *
 * `parse` times parseBatch alone. With `CPU=1` the figures are the main thread's CPU time (Node 23.9+, else the
 * process's), which a machine shared with other work disturbs less than wall-clock time; it leaves out the GC's
 * helper threads, so it reads lower than wall-clock time on a quiet machine.
 */
const runs = Number(process.argv[2] ?? 15);
const parseOnly = process.argv[3] === 'parse';

const event = realisticEvent();
const decodedBytes = gunzipSync(Buffer.from(event.awslogs.data, 'base64')).length;
const batch = decodeSubscriptionEvent(event, decodedBytes);
const kills = parseBatch(batch);

type Usage = { user: number; system: number };
const threadCpuUsage = (process as unknown as { threadCpuUsage?: (previous?: Usage) => Usage })
  .threadCpuUsage;
const cpuUsage = threadCpuUsage ? threadCpuUsage.bind(process) : process.cpuUsage.bind(process);
const useCpu = process.env.CPU === '1';

const best = new Map<string, number>();
function time(step: string, task: () => unknown): void {
  const cpuStart = cpuUsage();
  const start = process.hrtime.bigint();
  task();
  const used = cpuUsage(cpuStart);
  const ms = useCpu ? (used.user + used.system) / 1000 : Number(process.hrtime.bigint() - start) / 1e6;
  best.set(step, Math.min(best.get(step) ?? Number.POSITIVE_INFINITY, ms));
}

for (let i = 0; i < runs; i++) {
  time('parse', () => parseBatch(batch));
  if (parseOnly) continue;
  time('floor', () => JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8')));
  time('decode', () => decodeSubscriptionEvent(event, decodedBytes));
  time('group', () => groupByHostAndCooldown(kills, batch.logStream, DEFAULT_DETECT_CONFIG.cooldownMs));
  time('pure', () => {
    const decoded = decodeSubscriptionEvent(event, decodedBytes);
    return groupByHostAndCooldown(parseBatch(decoded), decoded.logStream, DEFAULT_DETECT_CONFIG.cooldownMs)
      .length;
  });
}

const figures = [...best].map(([step, ms]) => `${step} ${ms.toFixed(1)}`).join(', ');
const floor = best.get('floor');
const pure = best.get('pure');
const ratio = floor && pure ? ` = ${(pure / floor).toFixed(2)}x the floor` : '';
console.log(
  `${process.version} ${useCpu ? 'CPU' : 'wall'} ms, best of ${runs} (${batch.logEvents.length} events, ` +
    `${kills.length} kills): ${figures}${ratio}`,
);
