import * as z from 'zod';
import { PROVENANCE_KINDS } from '../incident/provenance';
import { MEMORY_METRIC_NAMES } from '../metrics/memory-series';
import { ActionStateSchema, CommandStateSchema, FailureSchema, SfnError } from './state';

/**
 * The state of the pressure workflow: the response to a memory-pressure warning (a contributor of an
 * early-warning alarm going into ALARM), before any kill. Started by the pressure function after its per-instance
 * cooldown; read by the analyze and notify Lambdas, which tell it from a kill's state by `mode`.
 */
export const PressureWorkflowInputSchema = z.object({
  mode: z.literal('pressure'),
  /** The pressure incident's id (its own, never a kill's). */
  incidentId: z.string().min(1),
  instanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/),
  /** The early-warning alarm and its ARN, as the contributor event named them. */
  alarmName: z.string().min(1),
  alarmArn: z.string().startsWith('arn:'),
  /** The metric the alarm reads, when its expression names one this pipeline knows. */
  metric: z.enum(MEMORY_METRIC_NAMES).nullable(),
  /** The datapoint that crossed the threshold and the threshold, when the alarm's reason quotes them. */
  latestValue: z.number().nullable(),
  threshold: z.number().nullable(),
  /** When the contributor went into ALARM (ISO 8601, UTC). */
  warnedAt: z.string().min(1),
});

export const PressureAnalyzeEventSchema = PressureWorkflowInputSchema.extend({
  diagnostics: CommandStateSchema.optional(),
  diagnosticsSendError: SfnError.optional(),
});

export const PressureNotifyEventSchema = PressureAnalyzeEventSchema.extend({
  /** What the analyze Lambda returned for the warning (validated by the notifier with the analysis schemas). */
  analysis: z.unknown().optional(),
  /** A preventive remediation, when the policy allowed one and the analysis planned it. */
  actions: z.array(ActionStateSchema).optional(),
  failure: FailureSchema.optional(),
  /**
   * Set by the CLI for a replay (a captured sample's diagnostics): every renderer labels the message. Absent from
   * a live execution's state (the state machine never sets it).
   */
  provenance: z.object({ kind: z.enum(PROVENANCE_KINDS), detail: z.string().max(500) }).optional(),
});

export type PressureWorkflowInput = z.infer<typeof PressureWorkflowInputSchema>;
export type PressureAnalyzeEvent = z.infer<typeof PressureAnalyzeEventSchema>;
export type PressureNotifyEvent = z.infer<typeof PressureNotifyEventSchema>;

/** Whether a state the analyze or notify Lambda received is the pressure workflow's. */
export function isPressureState(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { mode?: unknown }).mode === 'pressure';
}
