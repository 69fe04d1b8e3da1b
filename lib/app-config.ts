import { existsSync, readFileSync } from 'node:fs';
import { Duration } from 'aws-cdk-lib';
import * as z from 'zod';
import type { OomResponderProps } from './oom-responder-props';

/**
 * The app's configuration: an optional JSON file (`oom-responder.config.json`, or the file `-c configFile=...`
 * names) and `cdk.json` context / `-c key=value` flags, flags winning. Flat keys, so every one can be a flag.
 * Every key is checked: a misspelt one is an error naming the closest valid key, never silently ignored.
 */
const Flag = {
  string: z.string(),
  boolean: (key: string) =>
    z.unknown().transform((value, ctx) => {
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      ctx.addIssue({ code: 'custom', message: `${show(value)} is not true or false; e.g. -c ${key}=true` });
      return z.NEVER;
    }),
  number: (key: string, unit: string, example: number) =>
    z.unknown().transform((value, ctx) => {
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())
            ? Number(value)
            : Number.NaN;
      if (Number.isFinite(number)) return number;
      ctx.addIssue({
        code: 'custom',
        message: `${show(value)} is not a number of ${unit}; e.g. -c ${key}=${example}`,
      });
      return z.NEVER;
    }),
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
    configFile: z.string().optional(),
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'letters, digits and -, starting with a letter, at most 128')
      .optional(),
    slackWebhookSecret: Flag.string.optional(),
    createKernelLogGroup: Flag.boolean('createKernelLogGroup').optional(),
    kernelLogGroupName: Flag.string.optional(),
    kernelLogGroups: Flag.list.optional(),
    accountSubscriptionPolicy: Flag.boolean('accountSubscriptionPolicy').optional(),
    instanceTagKey: Flag.string.optional(),
    instanceTagValue: Flag.string.optional(),
    /** The remediation policy, inline (JSON) or as a path to a JSON file; read by `readAppConfig`. */
    remediationPolicy: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
    cooldownMinutes: Flag.number('cooldownMinutes', 'minutes', 30).optional(),
    stormThreshold: Flag.number('stormThreshold', 'incidents', 5).optional(),
    stormWindowMinutes: Flag.number('stormWindowMinutes', 'minutes', 5).optional(),
    retentionDays: Flag.number('retentionDays', 'days', 30).optional(),
    qDeveloperNotifications: Flag.boolean('qDeveloperNotifications').optional(),
    earlyWarning: Flag.boolean('earlyWarning').optional(),
    memAvailablePercentAlarm: Flag.number('memAvailablePercentAlarm', 'percent', 10).optional(),
    swapUsedPercentAlarm: Flag.number('swapUsedPercentAlarm', 'percent', 50).optional(),
    pressureCooldownMinutes: Flag.number('pressureCooldownMinutes', 'minutes', 60).optional(),
    applyAgentConfiguration: Flag.boolean('applyAgentConfiguration').optional(),
    detectReservedConcurrency: Flag.number('detectReservedConcurrency', 'executions', 20).optional(),
    analyzeReservedConcurrency: Flag.number('analyzeReservedConcurrency', 'executions', 5).optional(),
    notifyReservedConcurrency: Flag.number('notifyReservedConcurrency', 'executions', 2).optional(),
    pressureReservedConcurrency: Flag.number('pressureReservedConcurrency', 'executions', 5).optional(),
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

/** Every key of the app, in the README's order. */
export const APP_CONFIG_KEYS: readonly string[] = Object.keys(AppConfigSchema.shape);

/** Keys of earlier versions, with what to write instead. */
const REPLACED_KEYS: Record<string, string> = {
  memUsedPercentAlarm:
    "memAvailablePercentAlarm: the alarm fires when an instance's available memory is at or below it, e.g. -c memAvailablePercentAlarm=10 where you had memUsedPercentAlarm=90",
};

/**
 * Context keys the CDK itself sets or reads (seen in CDK_CONTEXT_JSON of `cdk synth`): feature flags
 * (`@aws-cdk/...`), `aws:cdk:*` switches, lookup results (`availability-zones:account=...`) and
 * `acknowledged-issue-numbers` (`cdk acknowledge`). None is a plain identifier like this app's keys.
 */
export function isCdkContextKey(key: string): boolean {
  return key.startsWith('@') || key.includes(':') || key === 'acknowledged-issue-numbers';
}

/** Merge the file and the context, check every key and value, and read the policy file; lists every problem. */
export function readAppConfig(
  context: Record<string, unknown>,
  defaultFile = 'oom-responder.config.json',
): AppConfig {
  const problems: string[] = [];
  const named = typeof context.configFile === 'string' ? context.configFile : undefined;
  const file = named ?? defaultFile;
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      problems.push(`${file}: not valid JSON (${(error as Error).message})`);
    }
  } else if (named !== undefined) {
    problems.push(`configFile: ${file} does not exist`);
  }
  const flags = Object.fromEntries(Object.entries(context).filter(([key]) => !isCdkContextKey(key)));
  const merged: Record<string, unknown> = { ...fromFile, ...flags };
  for (const key of Object.keys(merged)) {
    if (APP_CONFIG_KEYS.includes(key)) continue;
    const replacement = REPLACED_KEYS[key];
    const closest = closestKey(key);
    problems.push(
      replacement
        ? `${key}: replaced by ${replacement}`
        : `${key}: not a setting of this app${closest ? ` (did you mean ${closest}?)` : ''}; valid keys: ${APP_CONFIG_KEYS.join(', ')}`,
    );
    delete merged[key];
  }
  const parsed = AppConfigSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${issue.path.join('.') || '(config)'}: ${issue.message}`);
  }
  // configFile has done its work: the rest is the configuration.
  const { configFile: _file, ...config }: AppConfig = parsed.success ? parsed.data : {};
  // Read even when other values are wrong, so that one run lists every problem.
  if (typeof merged.remediationPolicy === 'string') {
    try {
      config.remediationPolicy = readPolicy(merged.remediationPolicy);
    } catch (error) {
      if (!(error instanceof InvalidAppConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new InvalidAppConfigError(problems);
  return config;
}

/** The construct props a configuration asks for; the construct validates them (and names every problem). */
export function responderProps(config: AppConfig): OomResponderProps {
  const policy =
    typeof config.remediationPolicy === 'string'
      ? readPolicy(config.remediationPolicy)
      : config.remediationPolicy;
  const optional = <K extends keyof OomResponderProps>(
    key: K,
    value: OomResponderProps[K] | undefined,
  ): Partial<Pick<OomResponderProps, K>> =>
    value === undefined ? {} : ({ [key]: value } as Partial<Pick<OomResponderProps, K>>);
  return {
    ...optional('slackWebhookSecret', config.slackWebhookSecret || undefined),
    ...optional('createKernelLogGroup', config.createKernelLogGroup),
    ...optional('kernelLogGroupName', config.kernelLogGroupName || undefined),
    ...optional('accountSubscriptionPolicy', config.accountSubscriptionPolicy),
    ...(config.instanceTagKey || config.instanceTagValue
      ? {
          instanceTag: {
            key: config.instanceTagKey ?? 'OomResponder',
            value: config.instanceTagValue ?? 'enabled',
          },
        }
      : {}),
    ...(policy ? { remediationPolicy: policy } : {}),
    ...optional('qDeveloperNotifications', config.qDeveloperNotifications),
    ...optional('cooldown', minutes(config.cooldownMinutes)),
    ...optional('stormThreshold', config.stormThreshold),
    ...optional('stormWindow', minutes(config.stormWindowMinutes)),
    ...optional(
      'retention',
      config.retentionDays === undefined ? undefined : Duration.days(config.retentionDays),
    ),
    ...earlyWarningProps(config),
    ...optional('pressureCooldown', minutes(config.pressureCooldownMinutes)),
    ...optional('applyAgentConfiguration', config.applyAgentConfiguration),
    ...optional('detectReservedConcurrency', config.detectReservedConcurrency),
    ...optional('analyzeReservedConcurrency', config.analyzeReservedConcurrency),
    ...optional('notifyReservedConcurrency', config.notifyReservedConcurrency),
    ...optional('pressureReservedConcurrency', config.pressureReservedConcurrency),
  };
}

/** `earlyWarning=false` turns the alarms off; thresholds override the construct's defaults one by one. */
function earlyWarningProps(config: AppConfig): Pick<OomResponderProps, 'earlyWarning'> {
  if (config.earlyWarning === false) return { earlyWarning: false };
  const thresholds = {
    ...(config.memAvailablePercentAlarm === undefined
      ? {}
      : { memAvailablePercent: config.memAvailablePercentAlarm }),
    ...(config.swapUsedPercentAlarm === undefined ? {} : { swapUsedPercent: config.swapUsedPercentAlarm }),
  };
  return Object.keys(thresholds).length === 0 ? {} : { earlyWarning: thresholds };
}

function minutes(value: number | undefined): Duration | undefined {
  return value === undefined ? undefined : Duration.minutes(value);
}

/** The policy inline (`{...}`) or from a JSON file; one line per problem, never a stack trace. */
function readPolicy(source: string): Record<string, unknown> {
  const inline = source.trimStart().startsWith('{');
  if (!inline && !existsSync(source)) {
    throw new InvalidAppConfigError([
      `remediationPolicy: ${source} does not exist (give the path of a JSON file, or the policy as inline JSON)`,
    ]);
  }
  const text = inline ? source : readFileSync(source, 'utf8');
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new InvalidAppConfigError([
      `remediationPolicy: ${inline ? 'the inline policy' : source} is not valid JSON (${(error as Error).message})`,
    ]);
  }
}

/** The valid key nearest a misspelt one (case, `-` and `_` ignored), when it is near enough to be meant. */
function closestKey(key: string): string | undefined {
  const normal = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: { key: string; distance: number } | undefined;
  for (const candidate of APP_CONFIG_KEYS) {
    const distance = editDistance(normal(key), normal(candidate));
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(best.key.length / 4)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}
