import { CfnAssociation, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { InstanceTag } from '../oom-responder-props';
import { agentConfiguration, FLUENT_BIT_AL2023, KERNEL_LOG_FILES } from './kernel-log-sources';

export interface AgentConfigurationsProps {
  readonly logGroupName: string;
  readonly instanceTag: InstanceTag;
  /** Install the CloudWatch agent and apply `all` to tagged instances through State Manager. */
  readonly applyWithAssociation: boolean;
}

/**
 * How kernel logs reach the pipeline: CloudWatch agent configurations in Parameter Store, one per distribution
 * (each names streams `{instance_id}`, so the detector knows the instance without an EC2 call) and one that
 * collects every known kernel log file, plus a Fluent Bit configuration for journald-only Amazon Linux 2023.
 * Optionally, State Manager installs the agent and applies the configuration to tagged instances.
 */
export class AgentConfigurations extends Construct {
  readonly parameterNames: Record<string, string>;

  constructor(scope: Construct, id: string, props: AgentConfigurationsProps) {
    super(scope, id);
    this.parameterNames = {};
    const flavors: Record<string, string[]> = {
      'amazon-linux-2': [KERNEL_LOG_FILES.messages],
      'amazon-linux-2023': [KERNEL_LOG_FILES.kernLog],
      ubuntu: [KERNEL_LOG_FILES.kernLog],
      all: [KERNEL_LOG_FILES.kernLog, KERNEL_LOG_FILES.messages],
    };
    for (const [flavor, files] of Object.entries(flavors)) {
      const name = `/oom-responder/cloudwatch-agent/${flavor}`;
      new StringParameter(this, `Agent-${flavor}`, {
        parameterName: name,
        description: `OOM Responder: CloudWatch agent configuration shipping kernel logs (${files.join(', ')})`,
        stringValue: JSON.stringify(agentConfiguration(files, props.logGroupName)),
      });
      this.parameterNames[flavor] = name;
    }
    new StringParameter(this, 'FluentBitAl2023', {
      parameterName: '/oom-responder/fluent-bit/amazon-linux-2023',
      description:
        'OOM Responder: Fluent Bit configuration shipping journald kernel messages (Amazon Linux 2023)',
      stringValue: FLUENT_BIT_AL2023(props.logGroupName),
    });
    if (!props.applyWithAssociation) return;
    const targets = [{ key: `tag:${props.instanceTag.key}`, values: [props.instanceTag.value] }];
    const install = new CfnAssociation(this, 'InstallAgent', {
      name: 'AWS-ConfigureAWSPackage',
      associationName: 'oom-responder-install-cloudwatch-agent',
      targets,
      parameters: { action: ['Install'], name: ['AmazonCloudWatchAgent'] },
    });
    const configure = new CfnAssociation(this, 'ConfigureAgent', {
      name: 'AmazonCloudWatch-ManageAgent',
      associationName: 'oom-responder-configure-cloudwatch-agent',
      targets,
      parameters: {
        action: ['configure'],
        mode: ['ec2'],
        optionalConfigurationSource: ['ssm'],
        optionalConfigurationLocation: [this.parameterNames.all ?? ''],
        optionalRestart: ['yes'],
      },
    });
    configure.addDependency(install);
  }
}
