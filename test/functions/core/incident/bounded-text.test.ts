import { describe, expect, it } from 'vitest';
import {
  boundedKeyPart,
  clipText,
  MAX_KEY_PART_BYTES,
} from '../../../../functions/core/incident/bounded-text';
import { boundedKill, MAX_TASKS_KEPT, newIncident } from '../../../../functions/core/incident/build';
import { digestKill, killKey } from '../../../../functions/core/incident/kill-digest';
import type { Kill } from '../../../../functions/core/kernel-log';
import { corpusKills, realKill, resolvedInstance } from '../../../support/kills';

/** A real kill whose every text field (and every task name) carries `size` characters, as a forged line could. */
function swollen(size: number): Kill {
  const kill = realKill();
  // '€' is 3 bytes in UTF-8 and one UTF-16 unit: the most bytes a clipped unit can cost.
  // Enumerations the parser sets (kind, transport, origin) never hold text from the line.
  const big = (tag: string) => `${tag}:${'€'.repeat(size)}`;
  const swollenKill = Object.fromEntries(
    Object.entries(kill).map(([field, value]) => [
      field,
      typeof value === 'string' && !['kind', 'transport', 'origin'].includes(field) ? big(field) : value,
    ]),
  ) as unknown as Kill;
  const [withStats] = corpusKills('modern/k8s-guaranteed-containerd-v2-stats-dmesg-Tx.log');
  if (!withStats?.memcgStats) throw new Error('corpus sample without memcg stats');
  return {
    ...swollenKill,
    oomGroupMemcg: big('oomGroupMemcg'),
    memcgStats: { ...withStats.memcgStats, memcg: big('statsMemcg') },
    container: { runtime: big('runtime'), id: big('id'), podUid: big('pod') },
    tasks: Array.from({ length: 500 }, (_, i) => ({
      ...(kill.tasks[0] ?? ({} as Kill['tasks'][0])),
      pid: i,
      name: big('task'),
    })),
  };
}

describe('what an incident keeps of a kill line', () => {
  it('clips every text field of the first kill and its digest, so 50 digests and the kill stay far below 400 KB', () => {
    const kill = swollen(200_000);
    const incident = newIncident({
      kill,
      hostKey: 'i-0123456789abcdef0',
      instance: resolvedInstance('i-0123456789abcdef0'),
      source: { logGroup: null, logStream: null, accountId: null, region: null },
      now: '2026-11-25T16:58:01.000Z',
    });
    expect(incident.firstKill.tasks).toHaveLength(MAX_TASKS_KEPT);
    const documentBytes = Buffer.byteLength(JSON.stringify(incident.firstKill));
    const digestBytes = Buffer.byteLength(JSON.stringify(digestKill(kill, 'i-0123456789abcdef0')));
    expect(documentBytes).toBeLessThan(64 * 1024);
    expect(documentBytes + 50 * digestBytes).toBeLessThan(300 * 1024);
    console.log(`worst-case first kill ${documentBytes} B, digest ${digestBytes} B (UTF-8)`);
    // A field of the kind the test swells is one the bound knows of: a new text field of Kill must be clipped too.
    for (const [field, value] of Object.entries(boundedKill(kill))) {
      if (typeof value === 'string') expect(value.length, field).toBeLessThan(1100);
    }
    expect(boundedKill(kill).memcgStats?.memcg.length).toBeLessThan(1100);
  });

  it('keeps short text as it is, and says where it cut long text', () => {
    expect(clipText('python3')).toBe('python3');
    expect(clipText(null)).toBeNull();
    expect(clipText('a'.repeat(2000), 10)).toBe('aaaaaaaaaa…[clipped]');
  });

  it('bounds key parts in UTF-8 bytes, keeping long values that differ past the cut apart', () => {
    const long = 'é'.repeat(5_000);
    const a = boundedKeyPart(`${long}a`);
    const b = boundedKeyPart(`${long}b`);
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(MAX_KEY_PART_BYTES);
    expect(a).not.toBe(b);
    expect(boundedKeyPart(`${long}a`)).toBe(a);
    expect(boundedKeyPart('i-0123|kernel|42|k311.828673')).toBe('i-0123|kernel|42|k311.828673');
    expect(Buffer.byteLength(killKey(swollen(200_000), 'host'))).toBeLessThanOrEqual(MAX_KEY_PART_BYTES);
  });
});
