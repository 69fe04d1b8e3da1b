import { Duration, type RemovalPolicy, Token } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ILogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { InvalidPolicyError, type PolicyInput, parsePolicy } from '../functions/core/policy/policy';

/** The instance tag that puts an instance in scope for SSM commands. */
export interface InstanceTag {
  readonly key: string;
  readonly value: string;
}

/**
 * The public API of the `OomResponder` construct. Every optional prop states its default as behaviour; the
 * defaults deploy a pipeline that diagnoses and notifies and never changes a host.
 */
export interface OomResponderProps {
  /**
   * Existing log groups that receive kernel logs; each gets the OOM subscription filter.
   * @default [] (only the log group the construct creates, see `createKernelLogGroup`)
   */
  readonly kernelLogGroups?: ILogGroup[];
  /**
   * Create the log group `kernelLogGroupName` that the shipped CloudWatch agent configurations write to. With
   * `false` the group must already exist (for example retained by an earlier deployment of this stack, as it is
   * by default): it is subscribed without being created. A deploy that finds the group already there fails with
   * "already exists": deploy again with `createKernelLogGroup: false`. @default true
   */
  readonly createKernelLogGroup?: boolean;
  /**
   * The kernel log group, named after the stack so two stacks in one account and Region never share one.
   * @default `/oom-responder/<stack name>/kernel`
   */
  readonly kernelLogGroupName?: string;
  /**
   * Subscribe every log group of the account and Region through an account-level subscription policy
   * (`AWS::Logs::AccountPolicy`), excluding the pipeline's own log groups, instead of one subscription filter per
   * kernel log group (both would deliver each line twice). An account has at most one such policy per Region:
   * the deploy fails when another stack or tool already created one.
   * @default false
   */
  readonly accountSubscriptionPolicy?: boolean;
  /**
   * Only instances with this tag accept the pipeline's SSM commands (the IAM policy's condition).
   * @default { key: 'OomResponder', value: 'enabled' }
   */
  readonly instanceTag?: InstanceTag;
  /**
   * What the pipeline may change on a host. One schema with the CLI's `--policy` file (docs: README).
   * @default remediation off: diagnose and notify only
   */
  readonly remediationPolicy?: PolicyInput;
  /**
   * The Secrets Manager secret holding the Slack incoming-webhook URL, by name or ARN. The URL is read at run
   * time and is never in the template. @default no Slack: SNS only
   */
  readonly slackWebhookSecret?: string;
  /** @default a new SNS topic encrypted with `encryptionKey` */
  readonly notificationTopic?: ITopic;
  /** Customer managed key for the topic, queues and logs. @default a new key with rotation */
  readonly encryptionKey?: IKey;
  /**
   * Also publish the Amazon Q Developer in chat applications custom notification format to the topic (for
   * teams that use it instead of a webhook). @default false (plain text for email and SMS)
   */
  readonly qDeveloperNotifications?: boolean;
  /** Kills on an instance within this time of its incident opening join that incident. @default 15 minutes */
  readonly cooldown?: Duration;
  /** Lines of the stream read before each kill to rebuild its report. @default 15 seconds */
  readonly contextBefore?: Duration;
  /** @default 5 seconds */
  readonly contextAfter?: Duration;
  /** More incidents than this within `stormWindow` are rolled up into one Slack message. @default 5 */
  readonly stormThreshold?: number;
  /** @default 5 minutes */
  readonly stormWindow?: Duration;
  /** How long incidents and kills are kept (DynamoDB TTL), and the full diagnostics (S3). @default 30 days */
  readonly retention?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Early-warning alarms on the memory metrics the shipped agent configurations publish, before the OOM killer
   * acts: one Metrics Insights alarm per metric watches every instance, and each instance that crosses a
   * threshold is a contributor of its own, announced to the topic with its instance id. `false` creates none.
   * @default the seed's prevention advice: available memory at or below 10 %, swap use at or above 50 %
   */
  readonly earlyWarning?: EarlyWarningProps | false;
  /**
   * After a memory-pressure warning on an instance, further warnings on it within this time are not answered again
   * (no second diagnostics, no second message): on-call has the first one, and a kill that follows still gets its
   * own response. Runs from the warning's time; the two early-warning alarms share it. Ignored with
   * `earlyWarning: false`. @default 60 minutes
   */
  readonly pressureCooldown?: Duration;
  /**
   * Apply the shipped CloudWatch agent configuration to instances with `instanceTag` through a State Manager
   * association. @default false (the configurations are stored in Parameter Store for you to apply)
   */
  readonly applyAgentConfiguration?: boolean;
  /** For the table and bucket. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Reserved concurrency of the detector, to bound its burst on DynamoDB, EC2 and Step Functions in a fleet-wide
   * storm (throttled events wait in Lambda's asynchronous queue for up to 6 hours). Reserving leaves less for
   * every other function of the account, and Lambda refuses any reservation that would leave fewer than 100
   * unreserved: a new account may have a quota of 10 in all. @default no reservation (the account's pool)
   */
  readonly detectReservedConcurrency?: number;
  /** Reserved concurrency of the analysis function (invoked by the workflow). @default no reservation */
  readonly analyzeReservedConcurrency?: number;
  /**
   * Reserved concurrency of the notifier. The workflow invokes it synchronously, so a reservation below the
   * number of concurrent incidents throttles it (the workflow retries throttles, with backoff).
   * @default no reservation
   */
  readonly notifyReservedConcurrency?: number;
  /**
   * Reserved concurrency of the pressure function (with `earlyWarning`), to bound how many pressure workflows a
   * fleet-wide memory squeeze starts at once, each running SSM documents on its instance (throttled events wait in
   * Lambda's asynchronous queue, then go to the dead-letter queue). Ignored without `earlyWarning`.
   * @default no reservation
   */
  readonly pressureReservedConcurrency?: number;
}

/** Thresholds of the early-warning alarms, per instance, on the CloudWatch agent's metrics (namespace CWAgent). */
export interface EarlyWarningProps {
  /**
   * Alarm for an instance whose `mem_available_percent` is at or below this (2 of 3 one-minute datapoints).
   * Available memory is the kernel's MemAvailable: free memory plus what it can reclaim, such as clean page
   * cache, so a full cache alone does not set it off. @default 10 (the seed advises 10-15)
   */
  readonly memAvailablePercent?: number;
  /** Alarm for an instance whose `swap_used_percent` is at or above this. @default 50 */
  readonly swapUsedPercent?: number;
}

/** The early-warning thresholds with the defaults applied. */
export interface EarlyWarningThresholds {
  memAvailablePercent: number;
  swapUsedPercent: number;
}

export const EARLY_WARNING_DEFAULTS: EarlyWarningThresholds = {
  memAvailablePercent: 10,
  swapUsedPercent: 50,
};

/** Where the construct is deployed, for the names it derives from the stack. */
export interface DeploymentContext {
  /** The CloudFormation stack name. @default 'OomResponder' */
  readonly stackName?: string;
}

/** The props with every default applied and the policy parsed. */
export interface ResolvedOomResponderProps {
  kernelLogGroups: ILogGroup[];
  createKernelLogGroup: boolean;
  kernelLogGroupName: string;
  accountSubscriptionPolicy: boolean;
  instanceTag: InstanceTag;
  remediationPolicy: ReturnType<typeof parsePolicy>;
  slackWebhookSecret: string | undefined;
  qDeveloperNotifications: boolean;
  cooldown: Duration;
  contextBefore: Duration;
  contextAfter: Duration;
  stormThreshold: number;
  stormWindow: Duration;
  retention: Duration;
  /** `undefined`: no early-warning alarms (`earlyWarning: false`). */
  earlyWarning: EarlyWarningThresholds | undefined;
  pressureCooldown: Duration;
  applyAgentConfiguration: boolean;
  reservedConcurrency: { detect?: number; analyze?: number; notify?: number; pressure?: number };
}

/** Thrown at synth with every problem of the props at once, each naming the prop and the fix. */
export class InvalidOomResponderPropsError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `OomResponder: invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'InvalidOomResponderPropsError';
  }
}

const TAG_PART = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const SECRET_REF =
  /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$/;
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/** Validate early, collect every problem, throw once (aws-solutions-constructs' CheckProps pattern). */
export function resolveProps(
  props: OomResponderProps = {},
  context: DeploymentContext = {},
): ResolvedOomResponderProps {
  const problems: string[] = [];
  const stackName = context.stackName ?? 'OomResponder';
  problems.push(...stackNameProblems(stackName));
  const instanceTag = props.instanceTag ?? { key: 'OomResponder', value: 'enabled' };
  if (!TAG_PART.test(instanceTag.key) || instanceTag.key.startsWith('aws:')) {
    problems.push(
      `instanceTag.key '${instanceTag.key}' is not a valid tag key: 1-128 letters, digits, spaces or _ . : / = + - @, not starting with aws:`,
    );
  }
  if (!TAG_PART.test(instanceTag.value)) {
    problems.push(
      `instanceTag.value '${instanceTag.value}' is not a valid tag value: 1-128 letters, digits, spaces or _ . : / = + - @`,
    );
  }
  let remediationPolicy = parsePolicy({});
  try {
    remediationPolicy = parsePolicy(props.remediationPolicy ?? {});
  } catch (error) {
    if (!(error instanceof InvalidPolicyError)) throw error;
    problems.push(...error.problems.map((p) => `remediationPolicy.${p}`));
  }
  if (props.slackWebhookSecret !== undefined && !SECRET_REF.test(props.slackWebhookSecret)) {
    problems.push(
      'slackWebhookSecret must be a Secrets Manager secret name or ARN (never the webhook URL itself): store the URL with `aws secretsmanager create-secret --name oom-responder/slack-webhook --secret-string https://hooks.slack.com/...` and pass the name',
    );
  }
  const kernelLogGroupName = props.kernelLogGroupName ?? `/oom-responder/${stackName}/kernel`;
  if (!LOG_GROUP_NAME.test(kernelLogGroupName)) {
    problems.push(
      `kernelLogGroupName '${kernelLogGroupName}' is not a valid log group name (letters, digits, . - _ / #)`,
    );
  }
  const createKernelLogGroup = props.createKernelLogGroup ?? true;
  const kernelLogGroups = props.kernelLogGroups ?? [];
  const reservedConcurrency = {
    detect: props.detectReservedConcurrency,
    analyze: props.analyzeReservedConcurrency,
    notify: props.notifyReservedConcurrency,
    pressure: props.pressureReservedConcurrency,
  };
  for (const [fn, value] of Object.entries(reservedConcurrency)) {
    if (value === undefined) continue;
    const name = `${fn}ReservedConcurrency`;
    if (value === 0) {
      problems.push(`${name} is 0, which stops the function; omit it to use the account's unreserved pool`);
    } else if (!Number.isInteger(value) || value < 1 || value > MAX_RESERVED_CONCURRENCY) {
      problems.push(
        `${name} is ${value}; use a whole number from 1 to ${MAX_RESERVED_CONCURRENCY}, at most your account's concurrency quota minus 100 (Lambda keeps 100 unreserved), or omit it`,
      );
    }
  }
  const cooldown = props.cooldown ?? Duration.minutes(15);
  within(problems, 'cooldown', cooldown.toMinutes({ integral: false }), 1, 24 * 60, 'minutes');
  const contextBefore = props.contextBefore ?? Duration.seconds(15);
  within(problems, 'contextBefore', contextBefore.toSeconds({ integral: false }), 0, 300, 'seconds');
  const contextAfter = props.contextAfter ?? Duration.seconds(5);
  within(problems, 'contextAfter', contextAfter.toSeconds({ integral: false }), 0, 300, 'seconds');
  const stormThreshold = props.stormThreshold ?? 5;
  within(problems, 'stormThreshold', stormThreshold, 1, 1000, 'incidents');
  const stormWindow = props.stormWindow ?? Duration.minutes(5);
  within(problems, 'stormWindow', stormWindow.toSeconds({ integral: false }), 10, 3600, 'seconds');
  const retention = props.retention ?? Duration.days(30);
  within(problems, 'retention', retention.toDays({ integral: false }), 1, 3650, 'days');
  const earlyWarning = earlyWarningThresholds(problems, props.earlyWarning);
  const pressureCooldown = props.pressureCooldown ?? Duration.minutes(60);
  const pressureCooldownMinutes = pressureCooldown.toMinutes({ integral: false });
  within(problems, 'pressureCooldown', pressureCooldownMinutes, 1, 24 * 60, 'minutes');
  if (Number.isFinite(pressureCooldownMinutes) && !Number.isInteger(pressureCooldownMinutes)) {
    problems.push(`pressureCooldown is ${pressureCooldownMinutes} minutes; use whole minutes`);
  }
  if (problems.length > 0) throw new InvalidOomResponderPropsError(problems);
  return {
    kernelLogGroups,
    createKernelLogGroup,
    kernelLogGroupName,
    accountSubscriptionPolicy: props.accountSubscriptionPolicy ?? false,
    instanceTag,
    remediationPolicy,
    slackWebhookSecret: props.slackWebhookSecret,
    qDeveloperNotifications: props.qDeveloperNotifications ?? false,
    cooldown,
    contextBefore,
    contextAfter,
    stormThreshold,
    stormWindow,
    retention,
    earlyWarning,
    pressureCooldown,
    applyAgentConfiguration: props.applyAgentConfiguration ?? false,
    reservedConcurrency,
  };
}

/**
 * The thresholds with their defaults, each checked: available memory from 1 to 50 % (at 0 the alarm would fire
 * only once the kernel has nothing left, too late to act; above half the memory it fires on healthy hosts) and
 * swap use from 1 to 100 %.
 */
function earlyWarningThresholds(
  problems: string[],
  early: EarlyWarningProps | false | undefined,
): EarlyWarningThresholds | undefined {
  if (early === false) return undefined;
  const unknown = Object.keys(early ?? {}).filter((key) => !(key in EARLY_WARNING_DEFAULTS));
  for (const key of unknown) {
    problems.push(
      key === 'memUsedPercent'
        ? "earlyWarning.memUsedPercent was replaced by earlyWarning.memAvailablePercent: the alarm now fires when an instance's available memory is at or below it (e.g. 10 where you had 90 used), counting reclaimable page cache as available"
        : `earlyWarning.${key} is not a threshold; use memAvailablePercent and swapUsedPercent`,
    );
  }
  const thresholds: EarlyWarningThresholds = {
    memAvailablePercent: early?.memAvailablePercent ?? EARLY_WARNING_DEFAULTS.memAvailablePercent,
    swapUsedPercent: early?.swapUsedPercent ?? EARLY_WARNING_DEFAULTS.swapUsedPercent,
  };
  const fix = (name: string, value: number, min: number, max: number, meaning: string): void => {
    if (!Number.isFinite(value) || value < min || value > max) {
      problems.push(
        `earlyWarning.${name} is ${value} percent; use ${min} to ${max} percent (${meaning}), or earlyWarning: false (-c earlyWarning=false) for no early-warning alarms`,
      );
    }
  };
  fix(
    'memAvailablePercent',
    thresholds.memAvailablePercent,
    1,
    50,
    "the alarm fires when an instance's available memory is at or below it; the seed advises 10 to 15",
  );
  fix(
    'swapUsedPercent',
    thresholds.swapUsedPercent,
    1,
    100,
    "the alarm fires when an instance's swap use is at or above it; the seed advises 50",
  );
  return thresholds;
}

/** Far above any default quota; the real bound is the account's quota, which synth cannot see. */
const MAX_RESERVED_CONCURRENCY = 10_000;

/**
 * The SSM documents are named `<stack name>-<Document>`. SSM reserves document names starting with `aws`,
 * `amazon` or `amzn` (CreateDocument API reference, `Name`), and allows `[a-zA-Z0-9_.-]{3,128}`.
 */
const RESERVED_DOCUMENT_PREFIX = /^(aws|amazon|amzn)/i;
const DOCUMENT_NAME = /^[a-zA-Z0-9_.-]{3,128}$/;
/** The longest document name the construct derives from the stack name. */
const LONGEST_DOCUMENT_SUFFIX = '-CollectDiagnostics';

function stackNameProblems(stackName: string): string[] {
  if (Token.isUnresolved(stackName)) return [];
  const problems: string[] = [];
  const reserved = RESERVED_DOCUMENT_PREFIX.exec(stackName);
  if (reserved) {
    problems.push(
      `stack name '${stackName}' starts with '${reserved[1]?.toLowerCase()}', which SSM reserves for its own SSM document names (the pipeline's documents are named <stack name>-CollectDiagnostics...): choose a name that does not start with aws, amazon or amzn in any case, e.g. -c stackName=OomResponder`,
    );
  }
  const longest = `${stackName}${LONGEST_DOCUMENT_SUFFIX}`;
  if (longest.length > 128) {
    problems.push(
      `the SSM document name ${stackName.slice(0, 12)}...${LONGEST_DOCUMENT_SUFFIX} is ${longest.length} characters; SSM allows 128: use a stack name of at most ${128 - LONGEST_DOCUMENT_SUFFIX.length} characters`,
    );
  } else if (!DOCUMENT_NAME.test(longest)) {
    problems.push(
      `stack name '${stackName}' cannot name SSM documents (letters, digits, _ . - only): use letters, digits and -`,
    );
  }
  return problems;
}

function within(
  problems: string[],
  name: string,
  value: number,
  min: number,
  max: number,
  unit: string,
): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    problems.push(`${name} is ${value} ${unit}; use ${min} to ${max} ${unit}`);
  }
}
