import { Stack } from 'aws-cdk-lib';
import { CfnAssociation, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { InstanceTag } from '../oom-responder-props';
import {
  agentConfiguration,
  fluentBitConfiguration,
  KERNEL_LOG_FILES,
  OOMD_EXPRESSION,
  type ShippedFile,
} from './kernel-log-sources';
import { MEMORY_METRICS } from './memory-metrics';

export interface AgentConfigurationsProps {
  readonly logGroupName: string;
  readonly instanceTag: InstanceTag;
  /** Install the CloudWatch agent and append `all` to tagged instances' configuration through State Manager. */
  readonly applyWithAssociation: boolean;
  /** Publish the memory metrics of the early-warning alarms (off with the alarms: custom metrics are billed). */
  readonly memoryMetrics: boolean;
}

const OOMD_FROM = (path: string): ShippedFile => ({ path, onlyMatching: OOMD_EXPRESSION });

/** The agent configurations, per distribution: the kernel's lines, and systemd-oomd's where rsyslog puts them. */
const FLAVORS: Record<string, readonly ShippedFile[]> = {
  'amazon-linux-2': [{ path: KERNEL_LOG_FILES.messages }],
  'amazon-linux-2023': [{ path: KERNEL_LOG_FILES.kernLog }, OOMD_FROM(KERNEL_LOG_FILES.messages)],
  ubuntu: [{ path: KERNEL_LOG_FILES.kernLog }, OOMD_FROM(KERNEL_LOG_FILES.syslog)],
  all: [
    { path: KERNEL_LOG_FILES.kernLog },
    { path: KERNEL_LOG_FILES.messages },
    OOMD_FROM(KERNEL_LOG_FILES.syslog),
  ],
};

/**
 * How kernel logs reach the pipeline: CloudWatch agent configurations in Parameter Store, one per distribution
 * (each names streams `{instance_id}`, so the detector knows the instance without an EC2 call) and one that
 * collects every known kernel log file, each with the memory metrics of the early-warning alarms; a Fluent Bit
 * configuration for journald-only Amazon Linux 2023, and for it (Fluent Bit ships logs only) an agent configuration
 * of the memory metrics alone.
 * Optionally, State Manager installs the agent and appends the configuration on tagged instances.
 *
 * The parameters are named `AmazonCloudWatch-<stack name>-...`: unique per stack, and readable by instances with
 * only the AWS managed CloudWatchAgentServerPolicy, which allows `ssm:GetParameter` on
 * `parameter/AmazonCloudWatch-*` alone.
 */
export class AgentConfigurations extends Construct {
  /** Parameter names by flavor (`ubuntu`, `all`, ..., `fluent-bit-amazon-linux-2023` and `memory-metrics`). */
  readonly parameterNames: Record<string, string>;

  constructor(scope: Construct, id: string, props: AgentConfigurationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefix = `AmazonCloudWatch-${stack.stackName}`;
    this.parameterNames = {};
    for (const [flavor, files] of Object.entries(FLAVORS)) {
      const name = `${prefix}-${flavor}`;
      new StringParameter(this, `Agent-${flavor}`, {
        parameterName: name,
        description: `OOM Responder: CloudWatch agent configuration (append-config) shipping kernel logs (${files.map((f) => f.path).join(', ')})`,
        stringValue: JSON.stringify(
          agentConfiguration(files, props.logGroupName, { memoryMetrics: props.memoryMetrics }),
        ),
      });
      this.parameterNames[flavor] = name;
    }
    const fluentBit = `${prefix}-fluent-bit-amazon-linux-2023`;
    new StringParameter(this, 'FluentBitAl2023', {
      parameterName: fluentBit,
      description:
        'OOM Responder: Fluent Bit configuration shipping journald kernel and systemd-oomd messages (Amazon Linux 2023)',
      stringValue: fluentBitConfiguration(props.logGroupName, stack.region),
    });
    this.parameterNames['fluent-bit-amazon-linux-2023'] = fluentBit;
    if (props.memoryMetrics) {
      const metricsOnly = `${prefix}-memory-metrics`;
      new StringParameter(this, 'MemoryMetrics', {
        parameterName: metricsOnly,
        description:
          'OOM Responder: CloudWatch agent configuration (append-config) publishing only the memory metrics of the early-warning alarms, for hosts that ship their logs another way (Fluent Bit)',
        stringValue: JSON.stringify({ metrics: MEMORY_METRICS }),
      });
      this.parameterNames['memory-metrics'] = metricsOnly;
    }
    if (!props.applyWithAssociation) return;
    const targets = [{ key: `tag:${props.instanceTag.key}`, values: [props.instanceTag.value] }];
    // Associations run at creation and on every instance that later matches the targets, then on their schedule.
    const install = new CfnAssociation(this, 'InstallAgent', {
      name: 'AWS-ConfigureAWSPackage',
      associationName: `${stack.stackName}-install-cloudwatch-agent`,
      targets,
      parameters: { action: ['Install'], name: ['AmazonCloudWatchAgent'] },
      // Retries an install that failed (an instance still booting); installing again is a no-op.
      scheduleExpression: 'rate(1 day)',
      applyOnlyAtCronInterval: false,
    });
    const configure = new CfnAssociation(this, 'ConfigureAgent', {
      name: 'AmazonCloudWatch-ManageAgent',
      associationName: `${stack.stackName}-configure-cloudwatch-agent`,
      targets,
      parameters: {
        // Appends to the agent's configuration (`append-config`): `configure` would replace the user's own.
        action: ['configure (append)'],
        mode: ['ec2'],
        optionalConfigurationSource: ['ssm'],
        optionalConfigurationLocation: [this.parameterNames.all ?? ''],
        optionalRestart: ['yes'],
      },
      // Both associations start together on a new instance, so the first configure may run before the agent
      // is installed and fail: the schedule retries it (30 minutes is State Manager's shortest rate).
      scheduleExpression: 'rate(30 minutes)',
      applyOnlyAtCronInterval: false,
    });
    configure.addResourceDependency(install);
  }
}
