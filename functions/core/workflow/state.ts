import * as z from 'zod';
import { PROVENANCE_KINDS } from '../incident/provenance';

/**
 * The state the response workflow carries from step to step, as the analyze and notify Lambdas receive it. The
 * schemas are the boundary: each Lambda parses its event with them, and the local replay builds the same shapes.
 */
export const SfnError = z
  .object({ Error: z.string().optional(), Cause: z.string().optional() })
  .passthrough();

export const InvocationSchema = z
  .object({
    Status: z.string(),
    StatusDetails: z.string().optional(),
    ResponseCode: z.number().optional(),
    StandardOutputContent: z.string().optional(),
    StandardErrorContent: z.string().optional(),
  })
  .passthrough();

export const CommandStateSchema = z.object({
  commandId: z.string(),
  polls: z.number().optional(),
  invocation: InvocationSchema.optional(),
  /** GetCommandInvocation itself failed (retries exhausted, or an error not worth retrying). */
  pollError: SfnError.optional(),
  /** The command was still pending when its poll budget (its document's timeout plus delivery) ran out. */
  timedOutWaiting: z.literal(true).optional(),
  /** Seconds between polls, recorded with `timedOutWaiting`: how long the workflow waited is polls times this. */
  pollIntervalSeconds: z.number().positive().optional(),
});

export const WorkflowInputSchema = z.object({
  incidentId: z.string().min(1),
  instanceId: z.string().nullable(),
  killTime: z.string(),
  pid: z.string(),
  process: z.string(),
  unit: z.string(),
  memcgPath: z.string(),
  // Defaults: an execution started by an older detector carries none of the three; its diagnostics then
  // cannot confirm the kill, so nothing is changed on the host.
  processHex: z.string().default(''),
  kernelTime: z.string().default(''),
  killer: z.string().default(''),
  /**
   * Set by the CLI for a replay of a captured sample or a demo, and by the detector for a drill (kind `drill`); a
   * live execution's input is unchanged, and the state machine keeps it for notify only when present.
   */
  provenance: z.object({ kind: z.enum(PROVENANCE_KINDS), detail: z.string().max(500) }).optional(),
  /**
   * Set by the detector when the incident's first kill is a drill's synthetic report (`drillIdOf`): analysis plans
   * no remediation and the remediation documents refuse. Absent from a live execution's input.
   */
  drill: z.object({ id: z.string().min(1).max(64) }).optional(),
});

/** A remediation the analysis planned, ready for SendCommand (parameter values are string lists). */
export const PlannedStepSchema = z.object({
  action: z.enum(['add-swap', 'restart-service']),
  documentName: z.string(),
  parameters: z.record(z.string(), z.array(z.string())),
  dryRun: z.boolean(),
  reason: z.string(),
});

export const AnalyzeEventSchema = WorkflowInputSchema.extend({
  diagnostics: z.union([CommandStateSchema, z.object({ unresolved: z.literal(true) })]).optional(),
  diagnosticsSendError: SfnError.optional(),
});

export const ActionStateSchema = z.object({
  step: PlannedStepSchema,
  command: CommandStateSchema.optional(),
  sendError: SfnError.optional(),
});

/** A stage the workflow caught failing: which, and what Step Functions said (`recordFailure`). */
export const FailureSchema = z.object({
  stage: z.string(),
  error: z.string().optional(),
  cause: z.string().optional(),
  /** The failed stage's own time limit, so a `States.Timeout` can say which limit it reached. */
  timeoutSeconds: z.number().positive().optional(),
});

export const NotifyEventSchema = AnalyzeEventSchema.extend({
  /** What the analyze Lambda returned (opaque here: the notify Lambda validates it with the analysis schemas). */
  analysis: z.unknown().optional(),
  actions: z.array(ActionStateSchema).optional(),
  failure: FailureSchema.optional(),
});

export type WorkflowState = z.infer<typeof WorkflowInputSchema>;
export type AnalyzeEvent = z.infer<typeof AnalyzeEventSchema>;
export type NotifyEvent = z.infer<typeof NotifyEventSchema>;
export type PlannedStep = z.infer<typeof PlannedStepSchema>;
export type ActionState = z.infer<typeof ActionStateSchema>;
