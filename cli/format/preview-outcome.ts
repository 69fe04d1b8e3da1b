import { newIncident } from '../../functions/core/incident/build';
import type { KillGroup } from '../../functions/core/incident/group-kills';
import { digestKill } from '../../functions/core/incident/kill-digest';
import type { Incident, InstanceRef } from '../../functions/core/incident/model';
import type { ResponseOutcome } from '../../functions/core/incident/outcome';
import type { Kill } from '../../functions/core/kernel-log';

/** Kills kept on a previewed incident; `killCount` stays exact beyond it, as the incident model asks. */
const MAX_KILLS_KEPT = 50;

/** `i-` and 8 or 17 hex digits, standing alone (a stream name, or a resource-based host name). */
const INSTANCE_ID = /(?<![\w-])i-(?:[0-9a-f]{17}|[0-9a-f]{8})(?![\w-])/;
/** EC2's IP-based host name, `ip-10-0-1-5`: the private address it names. */
const IP_NAME = /^ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(?:\.|$)/;

export interface PreviewContext {
  partition: string;
  region: string;
  /** ISO time the preview runs at (the incident's `updatedAt`). */
  now: string;
}

/**
 * A response outcome built from the log alone, as the pipeline would start one, with nothing collected: the
 * diagnostics are `skipped` and say this is a preview, there is no analysis and nothing was done. Instance
 * resolution is the part the pipeline can do offline: an instance id in the log stream name or the host name.
 */
export function previewOutcome(group: KillGroup, context: PreviewContext): ResponseOutcome {
  const [first, ...joined] = group.kills;
  if (!first) throw new Error('a kill group holds at least one kill');
  const incident = newIncident({
    kill: first,
    hostKey: group.hostKey,
    instance: resolveInstance(first),
    source: {
      logGroup: first.logGroup,
      logStream: first.logStream,
      accountId: null,
      region: context.region || null,
    },
    now: context.now,
    // A subscription payload's kill time is the event's (or the message's own): the best "received" there is.
    ...(first.transport === 'cloudwatch' && first.time ? { observedAt: first.time } : {}),
  });
  return {
    incident: joinKills(incident, joined, group.hostKey),
    diagnostics: {
      status: 'skipped',
      summary: null,
      detail: 'preview: built from the log alone, nothing was sent to any host',
      commandId: null,
      outputS3Uri: null,
    },
    analysis: null,
    actions: [],
    failure: null,
    context: { partition: context.partition, region: context.region, accountId: null, executionArn: null },
  };
}

export function resolveInstance(kill: Kill): InstanceRef {
  const fromStream = kill.logStream ? INSTANCE_ID.exec(kill.logStream)?.[0] : undefined;
  const fromHost = kill.hostname ? INSTANCE_ID.exec(kill.hostname)?.[0] : undefined;
  const ip = kill.hostname ? IP_NAME.exec(kill.hostname) : null;
  return {
    instanceId: fromStream ?? fromHost ?? null,
    hostname: kill.hostname,
    privateIp: ip ? ip.slice(1, 5).join('.') : null,
    instanceType: null,
    availabilityZone: null,
    name: null,
    resolvedBy: fromStream ? 'stream-name' : fromHost ? 'hostname' : 'unresolved',
  };
}

function joinKills(incident: Incident, kills: readonly Kill[], hostKey: string): Incident {
  if (kills.length === 0) return incident;
  const digests = kills.map((kill) => digestKill(kill, hostKey));
  return {
    ...incident,
    kills: [...incident.kills, ...digests].slice(0, MAX_KILLS_KEPT),
    killCount: incident.killCount + kills.length,
  };
}
