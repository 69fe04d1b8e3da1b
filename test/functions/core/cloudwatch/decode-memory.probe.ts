/**
 * Run by `decode-memory.test.ts` in a process of its own (`node --expose-gc --import tsx`), so that the peak
 * resident memory it reports belongs to one decode and nothing else. Reads an event from the file named by argv[2]
 * and decodes it as argv[3] says: `bounded` (the decoder), or `parse` (gunzip with the size bound, then
 * `JSON.parse`: the decoder before the structure bound). Prints one JSON line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  DEFAULT_MAX_DECODED_BYTES,
  decodeSubscriptionEvent,
} from '../../../../functions/core/cloudwatch/subscription-payload';

const [, , file, mode] = process.argv;
const event = JSON.parse(readFileSync(file ?? '', 'utf8')) as { awslogs: { data: string } };
/**
 * The peak resident size of this process: Linux's VmHWM, which `clear_refs` resets below. Not `maxRSS`: Linux
 * keeps that across execve, so a child spawned from a large test worker starts with the worker's peak.
 */
function peakRss(): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return hwm ? Number(hwm[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
// "5" resets the peak resident size to the current one (proc(5), /proc/pid/clear_refs).
writeFileSync('/proc/self/clear_refs', '5');
const rssBefore = process.memoryUsage().rss;
const heapBefore = process.memoryUsage().heapUsed;
let outcome: string;
let heapHeld = 0;
try {
  if (mode === 'parse') {
    const json = gunzipSync(Buffer.from(event.awslogs.data, 'base64'), {
      maxOutputLength: DEFAULT_MAX_DECODED_BYTES,
    });
    const parsed: unknown = JSON.parse(json.toString('utf8'));
    // What the parse built, while it is still held (the schema check then refuses it).
    heapHeld = process.memoryUsage().heapUsed - heapBefore;
    outcome = typeof parsed;
  } else {
    decodeSubscriptionEvent(event);
    outcome = 'decoded';
  }
} catch (error) {
  outcome = `${(error as Error).name}: ${(error as { problem?: string }).problem ?? (error as Error).message}`;
}
// The peak's rise over the resident size before the decode bounds what the decode took.
const peakGrowthMiB = (peakRss() - rssBefore) / 2 ** 20;
console.log(
  JSON.stringify({ outcome, peakGrowthMiB: Math.max(0, peakGrowthMiB), heapHeldMiB: heapHeld / 2 ** 20 }),
);
