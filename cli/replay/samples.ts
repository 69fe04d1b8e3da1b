import { fileURLToPath } from 'node:url';

/** Runtime assets of the replay and the demo (see samples/SOURCES.md), resolved from this module. */

/** Real collect-diagnostics stdout, the answer to the diagnostics document when nothing runs on a host. */
export const SAMPLE_DIAGNOSTICS = fileURLToPath(
  new URL('../../samples/diagnostics/collect-diagnostics-debian12-cgroup-v1.stdout', import.meta.url),
);

/** A real kernel OOM report as /dev/kmsg records: what the demo replays where it cannot cause one. */
export const SAMPLE_KERNEL_REPORT = fileURLToPath(
  new URL('../../samples/kernel/captured-6.18-dev-kmsg.log', import.meta.url),
);

/** Real collect-diagnostics stdout in pressure mode (a grower in a memory cgroup): a pressure replay's sample. */
export const SAMPLE_PRESSURE_DIAGNOSTICS = fileURLToPath(
  new URL('../../samples/diagnostics/collect-diagnostics-debian12-pressure.stdout', import.meta.url),
);
