import * as z from 'zod';
import { DEFAULT_PRESSURE_COOLDOWN_MS, type PressureConfig } from '../core/pressure/ports';

/**
 * The pressure function's environment, read once at cold start and validated: a missing table or state machine
 * is a deployment error that must fail loudly, not a runtime surprise.
 */
const EnvSchema = z.object({
  INCIDENT_TABLE_NAME: z.string().min(3),
  PRESSURE_STATE_MACHINE_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/),
  PRESSURE_COOLDOWN_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
});

/** The pressure function's settings, from its environment. */
export interface PressureFunctionConfig {
  tableName: string;
  pressure: PressureConfig;
}

/** Read and check the environment once, at cold start; throws naming every problem. */
export function readPressureFunctionConfig(env: Record<string, string | undefined>): PressureFunctionConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`pressure function misconfigured: ${problems}`);
  }
  const e = parsed.data;
  return {
    tableName: e.INCIDENT_TABLE_NAME,
    pressure: {
      stateMachineArn: e.PRESSURE_STATE_MACHINE_ARN,
      cooldownMs:
        e.PRESSURE_COOLDOWN_MINUTES === undefined
          ? DEFAULT_PRESSURE_COOLDOWN_MS
          : e.PRESSURE_COOLDOWN_MINUTES * 60_000,
      retentionMs: (e.RETENTION_DAYS ?? 30) * 86_400_000,
    },
  };
}
