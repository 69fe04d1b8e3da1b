import { existsSync, readFileSync } from 'node:fs';
import { Duration } from 'aws-cdk-lib';
import { z } from 'zod';
import type { OomResponderProps } from './oom-responder-props';

/**
 * The app's configuration: an optional JSON file (`oom-responder.config.json`, or the file `-c configFile=...`
 * names) and `cdk.json` context / `-c key=value` flags, flags winning. Flat keys, so every one can be a flag.
 */
const Flag = {
  boolean: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]),
  number: z.union([
    z.number(),
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'a number')
      .transform(Number),
  ]),
  list: z.union([
    z.array(z.string()),
    z.string().transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]),
};

export const AppConfigSchema = z
  .object({
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'letters, digits and -, starting with a letter')
      .optional(),
    slackWebhookSecret: z.string().optional(),
    kernelLogGroups: Flag.list.optional(),
    createKernelLogGroup: Flag.boolean.optional(),
    kernelLogGroupName: z.string().optional(),
    accountSubscriptionPolicy: Flag.boolean.optional(),
    instanceTagKey: z.string().optional(),
    instanceTagValue: z.string().optional(),
    /** The remediation policy, inline (JSON) or as a path to a JSON file. */
    remediationPolicy: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
    qDeveloperNotifications: Flag.boolean.optional(),
    cooldownMinutes: Flag.number.optional(),
    stormThreshold: Flag.number.optional(),
    stormWindowMinutes: Flag.number.optional(),
    retentionDays: Flag.number.optional(),
    memUsedPercentAlarm: Flag.number.optional(),
    swapUsedPercentAlarm: Flag.number.optional(),
    applyAgentConfiguration: Flag.boolean.optional(),
  })
  .strict();

export type AppConfig = z.infer<typeof AppConfigSchema>;

export class InvalidAppConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `invalid OOM Responder configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'InvalidAppConfigError';
  }
}

const KNOWN = new Set(Object.keys(AppConfigSchema.shape));

/** Merge the file and the context (only keys this app knows: cdk.json also holds CDK's own feature flags). */
export function readAppConfig(
  context: Record<string, unknown>,
  defaultFile = 'oom-responder.config.json',
): AppConfig {
  const problems: string[] = [];
  const file = typeof context.configFile === 'string' ? context.configFile : defaultFile;
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      problems.push(`${file}: not valid JSON (${(error as Error).message})`);
    }
  } else if (typeof context.configFile === 'string') {
    problems.push(`configFile: ${file} does not exist`);
  }
  const flags = Object.fromEntries(Object.entries(context).filter(([key]) => KNOWN.has(key)));
  const parsed = AppConfigSchema.safeParse({ ...fromFile, ...flags });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.join('.') || (issue as { keys?: string[] }).keys?.join(', ') || '(config)';
      problems.push(
        `${key}: ${issue.message}${issue.code === 'unrecognized_keys' ? ` (known keys: ${[...KNOWN].join(', ')})` : ''}`,
      );
    }
  }
  if (problems.length > 0) throw new InvalidAppConfigError(problems);
  return parsed.success ? parsed.data : {};
}

/** The construct props a configuration asks for; the construct validates them (and names every problem). */
export function responderProps(config: AppConfig): OomResponderProps {
  const policy =
    typeof config.remediationPolicy === 'string'
      ? readPolicyFile(config.remediationPolicy)
      : config.remediationPolicy;
  return {
    ...(config.slackWebhookSecret ? { slackWebhookSecret: config.slackWebhookSecret } : {}),
    ...(config.createKernelLogGroup === undefined
      ? {}
      : { createKernelLogGroup: config.createKernelLogGroup }),
    ...(config.kernelLogGroupName ? { kernelLogGroupName: config.kernelLogGroupName } : {}),
    ...(config.accountSubscriptionPolicy === undefined
      ? {}
      : { accountSubscriptionPolicy: config.accountSubscriptionPolicy }),
    ...(config.instanceTagKey || config.instanceTagValue
      ? {
          instanceTag: {
            key: config.instanceTagKey ?? 'OomResponder',
            value: config.instanceTagValue ?? 'enabled',
          },
        }
      : {}),
    ...(policy ? { remediationPolicy: policy } : {}),
    ...(config.qDeveloperNotifications === undefined
      ? {}
      : { qDeveloperNotifications: config.qDeveloperNotifications }),
    ...(config.cooldownMinutes === undefined ? {} : { cooldown: Duration.minutes(config.cooldownMinutes) }),
    ...(config.stormThreshold === undefined ? {} : { stormThreshold: config.stormThreshold }),
    ...(config.stormWindowMinutes === undefined
      ? {}
      : { stormWindow: Duration.minutes(config.stormWindowMinutes) }),
    ...(config.retentionDays === undefined ? {} : { retention: Duration.days(config.retentionDays) }),
    ...(config.memUsedPercentAlarm === undefined && config.swapUsedPercentAlarm === undefined
      ? {}
      : {
          earlyWarning: {
            ...(config.memUsedPercentAlarm === undefined
              ? {}
              : { memUsedPercent: config.memUsedPercentAlarm }),
            ...(config.swapUsedPercentAlarm === undefined
              ? {}
              : { swapUsedPercent: config.swapUsedPercentAlarm }),
          },
        }),
    ...(config.applyAgentConfiguration === undefined
      ? {}
      : { applyAgentConfiguration: config.applyAgentConfiguration }),
  };
}

function readPolicyFile(path: string): Record<string, unknown> {
  const text = path.trimStart().startsWith('{') ? path : readFileSync(path, 'utf8');
  return JSON.parse(text) as Record<string, unknown>;
}
