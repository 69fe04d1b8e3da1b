import * as z from 'zod';
import { DEFAULT_MAX_DECODED_BYTES } from '../core/cloudwatch/subscription-payload';
import { DEFAULT_DETECT_CONFIG, type DetectConfig } from '../core/detect/config';
import { type ContextReadLimits, DEFAULT_CONTEXT_READ_LIMITS } from '../core/detect/context-budget';

/**
 * The detect function's environment, read once at cold start and validated: a missing table or state machine is
 * a deployment error that must fail loudly, not a runtime surprise.
 */
const EnvSchema = z.object({
  INCIDENT_TABLE_NAME: z.string().min(3),
  STATE_MACHINE_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/),
  CONTEXT_BEFORE_SECONDS: z.coerce.number().int().min(0).max(300).optional(),
  CONTEXT_AFTER_SECONDS: z.coerce.number().int().min(0).max(300).optional(),
  COOLDOWN_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  STORM_WINDOW_SECONDS: z.coerce.number().int().min(10).max(3600).optional(),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  MAX_DECODED_BYTES: z.coerce.number().int().min(1024).optional(),
  // 0 turns the reads off: every kill is recorded from its own lines, with the note.
  CONTEXT_MAX_CALLS: z.coerce.number().int().min(0).max(100).optional(),
});

/** The detect function's settings, from its environment. */
export interface DetectFunctionConfig {
  tableName: string;
  stateMachineArn: string;
  /** Largest decompressed subscription payload decoded. @default 10 MiB */
  maxDecodedBytes: number;
  /** Each invocation's budget of GetLogEvents calls and time (`CONTEXT_MAX_CALLS` sets the calls). */
  contextReads: ContextReadLimits;
  detect: DetectConfig;
}

/** Read and check the environment once, at cold start; throws naming every problem. */
export function readDetectFunctionConfig(env: Record<string, string | undefined>): DetectFunctionConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`detect function misconfigured: ${problems}`);
  }
  const e = parsed.data;
  const d = DEFAULT_DETECT_CONFIG;
  return {
    tableName: e.INCIDENT_TABLE_NAME,
    stateMachineArn: e.STATE_MACHINE_ARN,
    maxDecodedBytes: e.MAX_DECODED_BYTES ?? DEFAULT_MAX_DECODED_BYTES,
    contextReads: {
      ...DEFAULT_CONTEXT_READ_LIMITS,
      maxCalls: e.CONTEXT_MAX_CALLS ?? DEFAULT_CONTEXT_READ_LIMITS.maxCalls,
    },
    detect: {
      ...d,
      contextBeforeMs:
        e.CONTEXT_BEFORE_SECONDS === undefined ? d.contextBeforeMs : e.CONTEXT_BEFORE_SECONDS * 1000,
      contextAfterMs:
        e.CONTEXT_AFTER_SECONDS === undefined ? d.contextAfterMs : e.CONTEXT_AFTER_SECONDS * 1000,
      cooldownMs: e.COOLDOWN_MINUTES === undefined ? d.cooldownMs : e.COOLDOWN_MINUTES * 60_000,
      stormWindowMs: e.STORM_WINDOW_SECONDS === undefined ? d.stormWindowMs : e.STORM_WINDOW_SECONDS * 1000,
      retentionMs: e.RETENTION_DAYS === undefined ? d.retentionMs : e.RETENTION_DAYS * 86_400_000,
    },
  };
}
