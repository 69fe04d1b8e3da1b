import type { ResponseContext } from '../incident/outcome';
import type { StormWindowStats } from '../incident/storm-stats';
import { deliverOnce, deliveryContext } from './channel-delivery';
import { channelJobs } from './channel-jobs';
import type { NotifyPorts } from './notify-incident';
import { executionOfIncident, rollupMessages } from './notify-messages';
import type { StormRollupRecord } from './notify-ports';

export interface RollupOutInput {
  ports: NotifyPorts;
  rollup: StormRollupRecord;
  window: StormWindowStats;
  threshold: number;
  /** The covered incident's execution and console: the owner's execution is named after the owner. */
  context: Pick<ResponseContext, 'executionArn' | 'partition' | 'region'>;
  deadlineMs: number;
}

/**
 * For an incident another's rollup lists: whether that rollup has reached someone. When it has not (its owner's
 * step is still at it, failed, or died after claiming it), this step sends it on the owner's behalf, through the
 * owner's own channel claims, so it still goes out once whoever sends it. Resolves with why the incident must wait
 * (the step is then retried), or null once the rollup is out.
 */
export async function rollupOut(input: RollupOutInput): Promise<string | null> {
  const { ports, rollup } = input;
  const owner = await ports.store.getIncident(rollup.owner);
  // Gone (its record expired): nothing left to send or wait for.
  if (!owner) return null;
  const out = (status: string) => status === 'sent' || status === 'unknown';
  const deliveries = Object.values(owner.deliveries ?? {});
  if (owner.notification || deliveries.some((d) => out(d.status))) return null;
  const { executionArn } = input.context;
  const messages = await rollupMessages({
    store: ports.store,
    owner,
    context: {
      ...input.context,
      executionArn: executionArn ? executionOfIncident(executionArn, owner.id) : null,
    },
    rollup,
    window: input.window,
    loaded: new Map(),
    threshold: input.threshold,
  });
  const ctx = deliveryContext(ports, owner.id, input.deadlineMs);
  const results = await Promise.all(
    channelJobs(messages, ports, ctx).map((job) => deliverOnce(ctx, job, owner.deliveries?.[job.channel])),
  );
  if (results.some((r) => out(r.delivery.status))) return null;
  return `storm: rollup ${rollup.seq} (sent by incident ${owner.id}), which lists this incident, has not gone out yet`;
}
