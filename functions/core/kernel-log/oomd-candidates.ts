import type { OomdCandidate } from './types';

/**
 * systemd-oomd (252+) prints, before it kills, the cgroups it considered, each as an indented block
 * (src/oom/oomd-util.c, `oomd_dump_*_cgroup_context`):
 *
 *     Considered 19 cgroups for killing, top candidates were:
 *             Path: /system.slice/systemd-journald.service
 *                     Memory Pressure Limit: 0.00%
 *                     Pressure: Avg10: 0.00 Avg60: 0.00 Avg300: 0.00 Total: 0
 *                     Current Memory Usage: 55.5M
 *                     Swap Usage: 0B
 *
 * Sizes are systemd's `FORMAT_BYTES`: one decimal and a 1024-based suffix (`B K M G T P E`). A log may keep only
 * some of the lines (the fixture keeps Path and Current Memory Usage): every field is null until its line is read.
 */
const MAX_CANDIDATES = 32;

export class OomdCandidates {
  private considered: number | null = null;
  private readonly candidates: OomdCandidate[] = [];

  /** Read one systemd-oomd line; true when it belonged to a candidate block. */
  read(body: string): boolean {
    const line = body.trim();
    const header = /^Considered (\d{1,9}) cgroups for killing/.exec(line);
    if (header) {
      this.considered = Number(header[1]);
      this.candidates.length = 0;
      return true;
    }
    if (line.startsWith('Path: ')) {
      // systemd prints a handful of top candidates; more is not its block, and must not grow without bound.
      if (this.candidates.length >= MAX_CANDIDATES) return false;
      this.candidates.push(emptyCandidate(line.slice(6).trim(), this.considered));
      return true;
    }
    const current = this.candidates.at(-1);
    if (!current) return false;
    return readField(current, line);
  }

  /** The candidate block of the killed cgroup, once: a later kill reads its own block. */
  take(path: string): OomdCandidate | null {
    const found = this.candidates.find((candidate) => candidate.path === path) ?? null;
    this.candidates.length = 0;
    this.considered = null;
    return found;
  }
}

function emptyCandidate(path: string, considered: number | null): OomdCandidate {
  return {
    path,
    considered,
    memoryUsageKb: null,
    swapUsageKb: null,
    memoryPressureLimitPercent: null,
    pressureAvg10: null,
    pressureAvg60: null,
  };
}

function readField(candidate: OomdCandidate, line: string): boolean {
  const colon = line.indexOf(': ');
  if (colon < 0) return false;
  const key = line.slice(0, colon);
  const value = line.slice(colon + 2).trim();
  switch (key) {
    case 'Current Memory Usage':
      candidate.memoryUsageKb = bytesKb(value);
      return true;
    case 'Swap Usage':
      candidate.swapUsageKb = bytesKb(value);
      return true;
    case 'Memory Pressure Limit': {
      const percent = /^(\d{1,3}(?:\.\d{1,4})?)%$/.exec(value);
      candidate.memoryPressureLimitPercent = percent ? Number(percent[1]) : null;
      return true;
    }
    case 'Pressure': {
      const avg = /Avg10: (\d{1,3}\.\d{1,4}) Avg60: (\d{1,3}\.\d{1,4})/.exec(value);
      candidate.pressureAvg10 = avg ? Number(avg[1]) : null;
      candidate.pressureAvg60 = avg ? Number(avg[2]) : null;
      return true;
    }
    default:
      // Memory Min, Memory Low, Pgscan, Last Pgscan: part of the block, not used.
      return /^(?:Memory Min|Memory Low|Pgscan|Last Pgscan)$/.test(key);
  }
}

const SUFFIX_KB: Readonly<Record<string, number>> = {
  B: 1 / 1024,
  K: 1,
  M: 1024,
  G: 1024 ** 2,
  T: 1024 ** 3,
  P: 1024 ** 4,
  E: 1024 ** 5,
};

/** `55.5M` -> 56832 (kB); null for anything else (`-`, a cut line). */
export function bytesKb(value: string): number | null {
  const match = /^(\d{1,19}(?:\.\d{1,3})?)([BKMGTPE])$/.exec(value);
  if (!match) return null;
  const scale = SUFFIX_KB[match[2] ?? ''];
  return scale === undefined ? null : Number(match[1]) * scale;
}
