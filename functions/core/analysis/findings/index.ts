import type { AnalysisFacts } from '../facts';
import type { CauseFamily, FindingDraft } from '../model';
import { cgroupLimit } from './cgroup-limit';
import { containerWithoutLimit } from './container-without-limit';
import { criticalProcessKilled } from './critical-process';
import { pageCache, shmemTmpfs } from './file-pages';
import { hostExhausted } from './host-exhausted';
import { jvmHeap } from './jvm-heap';
import { kernelMemory } from './kernel-memory';
import { kernelSlab } from './kernel-slab';
import { memoryLeak } from './memory-leak';
import { noSwap } from './no-swap';
import { overcommit } from './overcommit';
import { processStorm } from './process-storm';
import { socketBuffers } from './socket-buffers';

/** A detector states a hypothesis and its evidence; `confidenceOf` turns the evidence into its confidence. */
export type Detector = (facts: AnalysisFacts) => FindingDraft | null;

/**
 * Every family's detector, in the order that breaks ties between equal confidences: root causes an engineer
 * can fix first (what filled the memory, from the report's breakdown, among them), then the mechanism (cgroup limit, host exhausted), then contributing settings, then the impact.
 */
export const DETECTORS: readonly (readonly [CauseFamily, Detector])[] = [
  ['jvm-heap-oversized', jvmHeap],
  ['memory-leak', memoryLeak],
  ['container-without-limit', containerWithoutLimit],
  ['process-storm', processStorm],
  ['socket-buffers', socketBuffers],
  ['shmem-tmpfs', shmemTmpfs],
  ['page-cache', pageCache],
  ['kernel-memory', kernelMemory],
  ['kernel-slab', kernelSlab],
  ['cgroup-limit', cgroupLimit],
  ['host-exhausted', hostExhausted],
  ['overcommit', overcommit],
  ['no-swap', noSwap],
  ['critical-process-killed', criticalProcessKilled],
];
