import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './nag';
import { OomResponder } from './oom-responder';
import type { OomResponderProps } from './oom-responder-props';

export interface OomResponderStackProps extends StackProps {
  readonly responder?: OomResponderProps;
  /** Names of existing log groups to subscribe, beside `responder.kernelLogGroups`. @default [] */
  readonly kernelLogGroupNames?: string[];
}

/** The stack `cdk deploy` creates: the `OomResponder` construct, the policy instances need, and outputs. */
export class OomResponderStack extends Stack {
  readonly responder: OomResponder;

  constructor(scope: Construct, id: string, props: OomResponderStackProps = {}) {
    super(scope, id, props);
    const existing = (props.kernelLogGroupNames ?? []).map((name, i) =>
      LogGroup.fromLogGroupName(this, `KernelLogGroup${i}`, name),
    );
    this.responder = new OomResponder(this, 'OomResponder', {
      ...props.responder,
      kernelLogGroups: [...(props.responder?.kernelLogGroups ?? []), ...existing],
    });
    const instancePolicy = new ManagedPolicy(this, 'InstancePolicy', {
      description:
        'OOM Responder: attach to the instance profile of managed instances, beside AmazonSSMManagedInstanceCore and CloudWatchAgentServerPolicy, so the SSM agent can write full command output to the diagnostics bucket',
      statements: this.responder.instancePolicyStatements,
    });
    new CfnOutput(this, 'NotificationTopicArn', {
      value: this.responder.topic.topicArn,
      description: 'Subscribe email, SMS or chat to this topic',
    });
    new CfnOutput(this, 'StateMachineArn', { value: this.responder.stateMachine.stateMachineArn });
    new CfnOutput(this, 'InstancePolicyArn', {
      value: instancePolicy.managedPolicyArn,
      description: 'Attach to the instance roles of instances tagged for OOM Responder',
    });
    new CfnOutput(this, 'InstanceTag', {
      value: `${this.responder.instanceTag.key}=${this.responder.instanceTag.value}`,
      description:
        'The tag (key=value) instances carry to be managed; oom-responder drill checks an instance for it',
    });
    if (this.responder.kernelLogGroup) {
      new CfnOutput(this, 'KernelLogGroup', {
        value: this.responder.kernelLogGroup.logGroupName,
        description:
          'Ship kernel logs here: the CloudWatch agent configurations are the Parameter Store parameters AmazonCloudWatch-<stack name>-* (append them with amazon-cloudwatch-agent-ctl -a append-config)',
      });
    }
    for (const prefix of ['diagnostics', 'remediation']) {
      acknowledgeWildcardResource(
        instancePolicy,
        this.responder.outputBucket.arnForObjects(`${prefix}/*`),
        'Instances write their own command output under this prefix; SSM names the objects per command',
      );
    }
  }
}
