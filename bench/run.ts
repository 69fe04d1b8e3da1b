import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchBundleLoad } from './bundle-load.bench';
import { benchDetector } from './detector.bench';
import { benchParser } from './parser.bench';

/** `npm run bench`: every benchmark prints its result beside a floor measured in the same run. */
const dir = mkdtempSync(join(tmpdir(), 'oom-responder-bench-'));
try {
  await benchParser(join(dir, 'kernel.log'));
  console.log();
  await benchDetector();
  console.log();
  await benchBundleLoad(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
