import type { SubscriptionBatch, SubscriptionLogEvent } from '../cloudwatch/subscription-payload';
import {
  DRILL_RETENTION_MS,
  drillInstanceKey,
  drillProvenance,
  drillStormWindow,
} from '../drill/drill-marks';
import { newIncident } from '../incident/build';
import { digestKill } from '../incident/kill-digest';
import { type Incident, type InstanceRef, instanceKeyOf } from '../incident/model';
import { stormWindowOf } from '../incident/storm-stats';
import { KernelLogParser, type Kill, type LineSource } from '../kernel-log';
import { matchesParameterPattern } from '../ssm/parameters';
import { processHexOf } from '../ssm/process-hex';
import { DEFAULT_DETECT_CONFIG, type DetectConfig } from './config';
import { type ObservedKill, withFullReports } from './full-report';
import { groupByHostAndCooldown, type HostGroup } from './host-groups';
import type {
  DetectTelemetry,
  InstanceDirectory,
  KillRecorder,
  KillToRecord,
  LogContextReader,
  WorkflowInput,
  WorkflowStarter,
} from './ports';

export interface DetectPorts {
  logs: LogContextReader;
  instances: InstanceDirectory;
  store: KillRecorder;
  workflow: WorkflowStarter;
  telemetry: DetectTelemetry;
  /** The current time; injected so tests and replays control it. */
  now: () => Date;
}

export interface DetectedIncident {
  incidentId: string;
  opened: boolean;
  instance: InstanceRef;
  kills: number;
  executionArn: string | null;
}

export interface DetectResult {
  kills: number;
  duplicates: number;
  incidents: DetectedIncident[];
}

/**
 * The detector's use case: turn one subscription batch into incidents, exactly once per real kill. Parse the
 * batch, rebuild each kill's full report from the stream, group kills per host, and for each group resolve the
 * instance, record the kills (dedupe, cooldown) and start one response per new incident.
 */
export async function detectBatch(
  batch: SubscriptionBatch,
  ports: DetectPorts,
  config: DetectConfig = DEFAULT_DETECT_CONFIG,
): Promise<DetectResult> {
  const received = parseBatch(batch);
  if (received.length === 0) return { kills: 0, duplicates: 0, incidents: [] };
  ports.telemetry.count('KillsDetected', received.length);
  const kills = await withFullReports(received, ports.logs, config, ports.telemetry);
  const groups = groupByHostAndCooldown(kills, batch.logStream, config.cooldownMs);
  const results = await mapWithConcurrency(groups, config.concurrency, (group) =>
    recordGroup(group, batch, ports, config),
  );
  return {
    kills: received.length,
    duplicates: results.reduce((sum, r) => sum + r.duplicates, 0),
    incidents: results.flatMap((r) => (r.incident ? [r.incident] : [])),
  };
}

/** The kills of a batch, each with the time its event was received: the detector's pure first step. */
export function parseBatch(batch: SubscriptionBatch): ObservedKill[] {
  if (batch.messageType !== 'DATA_MESSAGE') return [];
  const latest = lastTimestamp(batch);
  const parser = new KernelLogParser({ referenceDate: new Date(latest) });
  const receivedAt = receivedAtLookup(batch, latest);
  const observed: ObservedKill[] = [];
  // Indexed loops: this function runs a few times per container, often in a tier that allocates an iterator
  // result per step of a for-of (here once per line, as most lines return the shared empty list: 2 MB a batch).
  const observe = (kills: readonly Kill[]): void => {
    for (let i = 0; i < kills.length; i++) {
      const kill = kills[i] as Kill;
      observed.push({ kill, observedAtMs: receivedAt(kill.eventId) });
    }
  };
  // One source object for every line: the parser copies what it keeps.
  const source: LineSource = { logGroup: batch.logGroup, logStream: batch.logStream };
  const events = batch.logEvents;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as SubscriptionLogEvent;
    source.eventId = event.id;
    source.timestampMs = event.timestamp;
    const message = event.message;
    if (message.indexOf('\n') < 0) observe(parser.pushLine(message, source));
    else for (const line of message.split('\n')) observe(parser.pushLine(line, source));
  }
  observe(parser.end());
  return observed;
}

/**
 * When the event holding a kill line was received (a kill is observed then), or `fallback`. The parser emits
 * kills in the order of their events, so a cursor walking the batch finds each in constant time on average; a
 * kill out of that order (a stream interleaving hosts) falls back to an index built once.
 */
function receivedAtLookup(batch: SubscriptionBatch, fallback: number): (eventId: string | null) => number {
  const events = batch.logEvents;
  let cursor = 0;
  let byId: Map<string, number> | null = null;
  return (eventId) => {
    if (eventId === null) return fallback;
    if (byId) return byId.get(eventId) ?? fallback;
    const last = eventId.length - 1;
    const lastCode = eventId.charCodeAt(last);
    for (let i = cursor; i < events.length; i++) {
      const event = events[i] as SubscriptionLogEvent;
      // Ids are long decimals that share most of their digits with their neighbours': their last digit tells
      // most of them apart without comparing the whole text.
      if ((last < 0 || event.id.charCodeAt(last) === lastCode) && event.id === eventId) {
        cursor = i;
        return event.timestamp;
      }
    }
    byId = new Map();
    for (const event of events) byId.set(event.id, event.timestamp);
    return byId.get(eventId) ?? fallback;
  };
}

function lastTimestamp(batch: SubscriptionBatch): number {
  let latest = 0;
  const events = batch.logEvents;
  for (let i = 0; i < events.length; i++) {
    const timestamp = (events[i] as SubscriptionLogEvent).timestamp;
    if (timestamp > latest) latest = timestamp;
  }
  return latest || Date.now();
}

async function recordGroup(
  group: HostGroup,
  batch: SubscriptionBatch,
  ports: DetectPorts,
  config: DetectConfig,
): Promise<{ incident: DetectedIncident | null; duplicates: number }> {
  const [first] = group.kills;
  if (!first) return { incident: null, duplicates: 0 };
  const instance = await ports.instances.resolve({
    logStream: batch.logStream,
    hostname: first.kill.hostname,
  });
  if (instance.resolvedBy === 'unresolved') {
    ports.telemetry.count('UnresolvedHosts');
    ports.telemetry.warn(
      'could not tell which EC2 instance this is; the incident is recorded and notified only',
      {
        hostKey: group.hostKey,
        logStream: batch.logStream,
      },
    );
  }
  // Keys and ids are per instance: two instances may well share a host name (`localhost`, a container's). A drill
  // is filed in a key space of its own: no cooldown group, history or related list shared with real kills.
  const instanceKey = drillInstanceKey(instanceKeyOf(instance, group.hostKey), group.drill);
  const now = ports.now();
  // The history of this process here (the leak signal) is read by the analysis, not on this hot path.
  const incident = newIncident({
    kill: first.kill,
    hostKey: instanceKey,
    instance,
    source: { logGroup: batch.logGroup, logStream: batch.logStream, accountId: batch.owner, region: null },
    now: now.toISOString(),
    observedAt: new Date(first.observedAtMs).toISOString(),
    // The first kill's report was not read from the stream: the incident, and so its message, say so.
    reportGap: first.reportGap,
    drill: group.drill,
  });
  const kills: KillToRecord[] = group.kills.map((observed) => ({
    kill: observed.kill,
    digest: digestKill(observed.kill, instanceKey),
    observedAtMs: observed.observedAtMs,
  }));
  const recorded = await ports.store.recordKills({
    instanceKey,
    kills,
    incident,
    cooldownMs: config.cooldownMs,
    // A drill leaves no trace: its items expire after a day, and it counts in a storm window of its own.
    expiresAt: Math.floor((now.getTime() + (group.drill ? DRILL_RETENTION_MS : config.retentionMs)) / 1000),
    stormWindow: group.drill
      ? drillStormWindow(group.drill)
      : stormWindowOf(first.observedAtMs, config.stormWindowMs),
  });
  countOutcome(recorded, ports.telemetry);
  if (!recorded.incidentId) return { incident: null, duplicates: recorded.duplicates.length };
  let executionArn = recorded.executionArn;
  if (executionArn === null) {
    // A new incident, or one whose opener stopped before starting its response (a crash, a timeout): start it.
    // Execution names derive from the incident id, so a second start of the same response is harmless.
    const target =
      recorded.incidentId === incident.id ? incident : await ports.store.getIncident(recorded.incidentId);
    if (target) executionArn = await startResponse(target, ports);
  }
  ports.telemetry.info(recorded.opened ? 'opened an incident' : 'recorded kills on an open incident', {
    incidentId: recorded.incidentId,
    instanceId: instance.instanceId,
    process: first.kill.process,
    pid: first.kill.pid,
    kills: recorded.recorded.length,
    duplicates: recorded.duplicates.length,
  });
  return {
    incident: {
      incidentId: recorded.incidentId,
      opened: recorded.opened,
      instance,
      kills: recorded.recorded.length,
      executionArn,
    },
    duplicates: recorded.duplicates.length,
  };
}

function countOutcome(
  recorded: { opened: boolean; recorded: unknown[]; duplicates: unknown[] },
  telemetry: DetectTelemetry,
): void {
  if (recorded.duplicates.length > 0) telemetry.count('DuplicateKills', recorded.duplicates.length);
  if (recorded.opened) telemetry.count('IncidentsOpened');
  const joined = recorded.opened ? recorded.recorded.length - 1 : recorded.recorded.length;
  if (joined > 0) telemetry.count('JoinedKills', joined);
}

async function startResponse(incident: Incident, ports: DetectPorts): Promise<string> {
  const started = await ports.workflow.start(incident.id, workflowInputFor(incident));
  await ports.store.markExecutionStarted(incident.id, started.executionArn);
  if (!started.alreadyStarted) ports.telemetry.count('WorkflowsStarted');
  return started.executionArn;
}

/**
 * What the response starts with. Each value that goes to the collect-diagnostics document is checked against
 * the document's own pattern here; one that would not pass (an odd unit name, a cgroup path SSM refuses) is left
 * empty, so the diagnostics still run rather than the whole command being refused.
 */
export function workflowInputFor(incident: Incident): WorkflowInput {
  const kill = incident.firstKill;
  const safe = (name: string, value: string): string =>
    matchesParameterPattern('collect-diagnostics', name, value) ? value : '';
  return {
    incidentId: incident.id,
    instanceId: incident.instance.instanceId,
    killTime: safe('killTime', incident.observedAt),
    pid: safe('pid', kill.pid === null ? '' : String(kill.pid)),
    process: kill.process ?? '',
    unit: safe('unit', kill.systemdUnit ?? ''),
    memcgPath: safe('memcgPath', kill.taskMemcg ?? kill.oomMemcg ?? ''),
    processHex: safe('processHex', processHexOf(kill.process)),
    kernelTime: safe('kernelTime', kill.kernelTime === null ? '' : kernelTimeText(kill.kernelTime)),
    killer: kill.kind,
    // Only a drill adds keys: a live execution's input is exactly what it was.
    ...(incident.drill
      ? { drill: { id: incident.drill.id }, provenance: drillProvenance(incident.drill) }
      : {}),
  };
}

/** `1234.567890` as the kernel prints it: never an exponent, at most microseconds. */
function kernelTimeText(seconds: number): string {
  return Number.isFinite(seconds) && seconds >= 0 ? seconds.toFixed(6) : '';
}

async function mapWithConcurrency<T, R>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
