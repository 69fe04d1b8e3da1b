import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  decodeSubscriptionEvent,
  encodeSubscriptionEvent,
  type SubscriptionBatch,
} from '../functions/core/cloudwatch/subscription-payload';
import { DEFAULT_DETECT_CONFIG } from '../functions/core/detect/config';
import { parseBatch } from '../functions/core/detect/detect-batch';
import { matchesSubscriptionFilter } from '../functions/core/detect/filter-terms';
import { groupByHostAndCooldown } from '../functions/core/detect/host-groups';
import { corpusSamples } from '../test/support/corpus';
import { bestOfAlternating } from './measure';

const TARGET_COMPRESSED_BYTES = 1024 * 1024;
const RUNS = 15;

/**
 * The detector's pure path (decode the subscription event, validate it, parse its lines into kills, group them
 * per host) on a 1 MiB compressed batch, against the decode floor measured in the same run: gunzip + JSON.parse of
 * the same event. Target: at most 2x the floor. The floor depends on the Node.js version far more than the parser
 * does (Node 20 decodes non-ASCII UTF-8 about six times slower than Node 22+), so the ratio says which it ran on.
 */
export async function benchDetector(): Promise<void> {
  const event = realisticEvent();
  const compressed = Buffer.from(event.awslogs.data, 'base64');
  const decodedBytes = gunzipSync(compressed).length;
  const batch = decodeSubscriptionEvent(event, decodedBytes);
  console.log(
    `detector pure path: ${(compressed.length / 1024 / 1024).toFixed(2)} MiB compressed, ` +
      `${(decodedBytes / 1024 / 1024).toFixed(1)} MiB of JSON, ${batch.logEvents.length} log events`,
  );
  const { floor, task: pure } = await bestOfAlternating(
    RUNS,
    () => JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8')),
    () => {
      const decoded = decodeSubscriptionEvent(event, decodedBytes);
      return groupByHostAndCooldown(parseBatch(decoded), decoded.logStream, DEFAULT_DETECT_CONFIG.cooldownMs)
        .length;
    },
  );
  const kills = parseBatch(batch).length;
  console.log(`  floor (gunzip + JSON.parse):                       ${(floor.seconds * 1000).toFixed(1)} ms`);
  console.log(`  decode + validate + parse + group (${kills} kills): ${(pure.seconds * 1000).toFixed(1)} ms`);
  console.log(
    `  pure path = ${(pure.seconds / floor.seconds).toFixed(2)}x the floor (target <= 2.00x) on Node.js ${process.version}`,
  );
}

/**
 * What the detector really receives: the lines of the corpus's real reports that match the subscription filter
 * (kill lines, report headers, `oom-kill:` summaries), one log event per line, until the batch is 1 MiB compressed.
 */
export function realisticEvent(): { awslogs: { data: string } } {
  const lines = corpusSamples()
    .filter((sample) => sample.theme !== 'negative')
    .flatMap((sample) => readFileSync(sample.logPath, 'utf8').split('\n'))
    .filter((line) => line.length > 0 && !line.startsWith('{') && matchesSubscriptionFilter(line));
  const batch: SubscriptionBatch = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/oom-responder/kernel',
    logStream: 'i-0abc1234def567890',
    subscriptionFilters: ['oom-responder'],
    logEvents: [],
  };
  let event = encodeSubscriptionEvent(batch);
  while (Buffer.byteLength(event.awslogs.data, 'base64') < TARGET_COMPRESSED_BYTES) {
    const base = batch.logEvents.length;
    for (let i = 0; i < 5000; i++) {
      batch.logEvents.push({
        id: String(37516444594218164406966592290412038135079041373000990720n + BigInt(base + i)),
        timestamp: 1795627850077 + base + i,
        message: `${lines[(base + i) % lines.length]} `.trimEnd(),
      });
    }
    event = encodeSubscriptionEvent(batch);
  }
  return event;
}
