import { instanceIdIn } from '../../functions/core/detect/instance-hints';
import type {
  InstanceDirectory,
  InstanceHints,
  LogContextReader,
  StreamEvent,
  WorkflowInput,
  WorkflowStarter,
} from '../../functions/core/detect/ports';
import type { InstanceRef } from '../../functions/core/incident/model';
import type { Provenance } from '../../functions/core/incident/provenance';
import type { ReplayStream } from './feed';

/**
 * The detector's ports for a replay: the replayed streams stand in for CloudWatch Logs, the instance is this host
 * (`--host-exec`) or a stand-in answered by a captured sample, and responses are queued to run in this process.
 */

/** As many events as the Lambda's reader takes at most (3 pages of 10,000). */
const MAX_CONTEXT_EVENTS = 30_000;

/** GetLogEvents over the replayed streams: the lines of one stream within a window, oldest first. */
export class ReplayLogContext implements LogContextReader {
  private readonly streams = new Map<string, StreamEvent[]>();

  constructor(streams: readonly ReplayStream[]) {
    for (const stream of streams) this.streams.set(`${stream.logGroup}\n${stream.logStream}`, stream.events);
  }

  async readWindow(request: {
    logGroup: string;
    logStream: string;
    startMs: number;
    endMs: number;
  }): Promise<StreamEvent[]> {
    const events = this.streams.get(`${request.logGroup}\n${request.logStream}`) ?? [];
    const out: StreamEvent[] = [];
    for (let i = firstAtOrAfter(events, request.startMs); i < events.length; i++) {
      const event = events[i];
      if (!event || event.timestamp >= request.endMs || out.length >= MAX_CONTEXT_EVENTS) break;
      out.push({ timestamp: event.timestamp, message: event.message });
    }
    return out;
  }
}

function firstAtOrAfter(events: readonly StreamEvent[], ms: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((events[mid]?.timestamp ?? 0) < ms) low = mid + 1;
    else high = mid;
  }
  return low;
}

export type ReplayTarget =
  /** `--host-exec`: every replayed kill is this host's, and SSM documents run here. */
  | { kind: 'this-host'; hostname: string }
  /** Without it: each host of the log is a stand-in instance whose diagnostics are a captured sample. */
  | { kind: 'sample' };

/**
 * Instance resolution for a replay. The real directory asks EC2; here the instance is known by construction, so
 * the workflow takes the same path as for a resolved instance. Its id says what it is: `local` (this host, the
 * log naming no other) or `local:<host the log named>`; without `--host-exec`, the `i-...` id the log names, else
 * `sample-<n>`, one per host of the log. Each log host keeps its own id, so each gets its own incidents, as on a
 * fleet.
 */
export class ReplayInstanceDirectory implements InstanceDirectory {
  private readonly samples = new Map<string, string>();

  constructor(private readonly target: ReplayTarget) {}

  async resolve(hints: InstanceHints): Promise<InstanceRef> {
    const named = hints.hostname;
    const base = { hostname: named, privateIp: null, instanceType: null, availabilityZone: null };
    if (this.target.kind === 'this-host') {
      const local = this.target.hostname;
      const instanceId = named && named !== local ? `local:${named}` : 'local';
      return { ...base, instanceId, name: local, resolvedBy: 'hostname' };
    }
    const fromStream = instanceIdIn(hints.logStream);
    const id = fromStream ?? instanceIdIn(named);
    if (id)
      return { ...base, instanceId: id, name: null, resolvedBy: fromStream ? 'stream-name' : 'hostname' };
    const host = named ?? hints.logStream ?? '';
    let sample = this.samples.get(host);
    if (!sample) {
      sample = `sample-${this.samples.size + 1}`;
      this.samples.set(host, sample);
    }
    return { ...base, instanceId: sample, name: host || null, resolvedBy: 'hostname' };
  }
}

/** A response the detector started: run after detection, in this process. */
export interface QueuedResponse {
  name: string;
  input: WorkflowInput;
  executionArn: string;
}

/**
 * Step Functions' StartExecution for a replay: responses are queued and run in order once the whole input has
 * been detected, so each notification names every kill of its incident. A second start of the same execution
 * name is not an error, as with Step Functions.
 */
export class QueuedWorkflowStarter implements WorkflowStarter {
  readonly queue: QueuedResponse[] = [];

  /** @param provenance stamped on every input, as the CLI started it (a sample or a demo); null: live. */
  constructor(private readonly provenance: Provenance | null = null) {}

  async start(
    name: string,
    input: WorkflowInput,
  ): Promise<{ executionArn: string; alreadyStarted: boolean }> {
    // Not an ARN on purpose: no console link is built for a local execution.
    const executionArn = `local-replay:${name}`;
    if (this.queue.some((queued) => queued.name === name)) return { executionArn, alreadyStarted: true };
    this.queue.push({
      name,
      input: this.provenance ? { ...input, provenance: this.provenance } : input,
      executionArn,
    });
    return { executionArn, alreadyStarted: false };
  }
}
