import { readFileSync } from 'node:fs';
import type { KillToRecord, RecordKillsRequest } from '../../functions/core/detect/ports';
import { newIncident } from '../../functions/core/incident/build';
import { digestKill } from '../../functions/core/incident/kill-digest';
import type { InstanceRef } from '../../functions/core/incident/model';
import { stormWindowOf } from '../../functions/core/incident/storm-stats';
import { type Kill, parseKernelLog } from '../../functions/core/kernel-log';
import { CORPUS_REFERENCE_DATE, KERNEL_CORPUS } from './corpus';

/** The real kills of a corpus sample. */
export function corpusKills(path: string): Kill[] {
  return parseKernelLog(readFileSync(`${KERNEL_CORPUS}${path}`, 'utf8'), {
    referenceDate: CORPUS_REFERENCE_DATE,
  });
}

/** A real kill (the sd-pam memcg kill captured on this project's CI kernel), with pid and kernel time varied. */
export function realKill(overrides: Partial<Kill> = {}): Kill {
  const [kill] = corpusKills('modern/host-v1-memcg-sd-pam.log');
  if (!kill) throw new Error('corpus sample without a kill');
  return { ...kill, ...overrides };
}

export function resolvedInstance(instanceId: string): InstanceRef {
  return {
    instanceId,
    hostname: null,
    privateIp: null,
    instanceType: null,
    availabilityZone: null,
    name: null,
    resolvedBy: 'stream-name',
  };
}

/** A recordKills request for `kills` on one instance, as the use case builds it. */
export function recordRequest(
  instanceId: string,
  kills: { kill: Kill; observedAtMs: number }[],
  cooldownMs = 15 * 60_000,
): RecordKillsRequest {
  const [first] = kills;
  if (!first) throw new Error('no kills');
  const toRecord: KillToRecord[] = kills.map(({ kill, observedAtMs }) => ({
    kill,
    observedAtMs,
    digest: digestKill(kill, instanceId),
  }));
  return {
    instanceKey: instanceId,
    kills: toRecord,
    incident: newIncident({
      kill: first.kill,
      hostKey: instanceId,
      instance: resolvedInstance(instanceId),
      source: {
        logGroup: '/ec2/kernel',
        logStream: instanceId,
        accountId: '123456789012',
        region: 'us-east-1',
      },
      now: new Date(first.observedAtMs).toISOString(),
    }),
    cooldownMs,
    expiresAt: Math.floor(first.observedAtMs / 1000) + 30 * 86_400,
    stormWindow: stormWindowOf(first.observedAtMs, 300_000),
  };
}
