import * as z from 'zod';
import type { NotifyIncidentConfig } from '../core/respond/notify-incident';
import { ROLLUP_FOLLOW_UP_MS } from '../core/respond/storm-plan';

/** A webhook URL, with or without its scheme: a leaked secret where a secret's name belongs. */
const WEBHOOK_URL = /^\s*https?:\/\/|hooks\.slack(?:-gov)?\.com/i;

const EnvSchema = z.object({
  INCIDENT_TABLE_NAME: z.string().min(3),
  TOPIC_ARN: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/),
  /** The Slack webhook secret's ARN or name: never the URL (refused, and never echoed, so it is listed with the rest). */
  SLACK_WEBHOOK_SECRET: z
    .string()
    .min(1)
    .refine(
      (value) => !WEBHOOK_URL.test(value),
      'must name a Secrets Manager secret (its ARN or name), not hold the webhook URL',
    )
    .optional(),
  DIAGNOSTICS_BUCKET: z.string().min(3).optional(),
  STORM_THRESHOLD: z.coerce.number().int().min(1).default(5),
  STORM_WINDOW_SECONDS: z.coerce.number().int().min(10).default(300),
  Q_DEVELOPER_FORMAT: z.enum(['true', 'false']).default('false'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
});

export interface NotifyFunctionConfig {
  tableName: string;
  topicArn: string;
  slackWebhookSecret: string | null;
  notify: NotifyIncidentConfig;
}

export function readNotifyFunctionConfig(env: Record<string, string | undefined>): NotifyFunctionConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `notify function misconfigured: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const e = parsed.data;
  return {
    tableName: e.INCIDENT_TABLE_NAME,
    topicArn: e.TOPIC_ARN,
    slackWebhookSecret: e.SLACK_WEBHOOK_SECRET ?? null,
    notify: {
      stormThreshold: e.STORM_THRESHOLD,
      stormWindowMs: e.STORM_WINDOW_SECONDS * 1000,
      qDeveloperFormat: e.Q_DEVELOPER_FORMAT === 'true',
      outputBucket: e.DIAGNOSTICS_BUCKET ?? null,
      partition: e.TOPIC_ARN.split(':')[1] ?? 'aws',
      region: e.AWS_REGION,
      // The workflow retries a deferred step, so a storm's short follow-ups can wait and gather.
      stormFollowUpMs: ROLLUP_FOLLOW_UP_MS,
    },
  };
}
