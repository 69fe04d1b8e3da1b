import { Duration } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  Chain,
  Choice,
  Condition,
  Errors,
  type INextable,
  JsonPath,
  Pass,
  type State,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { SSM_PENDING_STATUSES } from '../../functions/core/workflow/ssm-invocation';

/** Step Functions names SDK errors `Service.ErrorNameException` (aws-facts §5). */
export const SSM_ERRORS = {
  throttling: ['Ssm.ThrottlingException', 'Ssm.TooManyUpdatesException', 'Ssm.InternalServerErrorException'],
  invocationNotYet: ['Ssm.InvocationDoesNotExistException'],
  unreachable: ['Ssm.InvalidInstanceIdException'],
};

export interface SsmCommandProps {
  /** Document name, or a JSON path to it. */
  readonly documentName: string;
  /** The instance id, as a JSON path. */
  readonly instanceIdPath: string;
  /** SendCommand `Parameters` (values are string lists; JSON paths and intrinsics allowed). */
  readonly parameters: Record<string, unknown>;
  readonly outputBucketName: string;
  /** S3 key prefix for the full output (a JSON path or States.Format expression). */
  readonly outputKeyPrefix: Record<string, string>;
  /** Where in the state the command id and the final invocation go. */
  readonly resultPath: string;
  /** Poll every this long. @default 5 s */
  readonly pollInterval?: Duration;
  /** Give up polling after this many polls: the invocation is then reported as it stands. */
  readonly maxPolls: number;
  /** IAM for SendCommand: the document ARNs, and the instance statement with its tag condition. */
  readonly sendIamResources: string[];
  readonly sendIamStatements: PolicyStatement[];
  readonly comment: string;
}

/**
 * Send an SSM command and wait for it the way Step Functions must (there is no `.sync` for SendCommand): send,
 * wait, GetCommandInvocation (retrying while the invocation does not exist yet), and loop while the status is
 * Pending, InProgress or Delayed, up to `maxPolls`. The chain ends with `{commandId, invocation, polls}` at
 * `resultPath`; deciding what a terminal status means is the analysis Lambda's job (`classifyInvocation`).
 */
export class SsmCommand extends Construct {
  readonly send: CallAwsService;
  readonly chain: Chain;

  constructor(scope: Construct, id: string, props: SsmCommandProps) {
    super(scope, id);
    const at = props.resultPath;
    // State names are global in a state machine: prefix them with this command's id.
    const name = (state: string): string => `${id}: ${state}`;
    this.send = new CallAwsService(this, 'Send', {
      stateName: name('send command'),
      comment: props.comment,
      service: 'ssm',
      action: 'sendCommand',
      parameters: {
        DocumentName: props.documentName,
        InstanceIds: JsonPath.array(JsonPath.stringAt(props.instanceIdPath)),
        Parameters: props.parameters,
        OutputS3BucketName: props.outputBucketName,
        ...props.outputKeyPrefix,
        // Delivery timeout: a command the agent has not picked up by then never runs.
        TimeoutSeconds: 120,
        Comment: props.comment.slice(0, 100),
      },
      iamResources: props.sendIamResources,
      iamAction: 'ssm:SendCommand',
      additionalIamStatements: props.sendIamStatements,
      resultSelector: { 'commandId.$': '$.Command.CommandId', polls: 0 },
      resultPath: at,
    });
    this.send.addRetry({
      errors: SSM_ERRORS.throttling,
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
    });

    const wait = new Wait(this, 'Wait', {
      stateName: name('wait'),
      time: WaitTime.duration(props.pollInterval ?? Duration.seconds(5)),
    });
    const poll = new CallAwsService(this, 'Poll', {
      stateName: name('get command invocation'),
      service: 'ssm',
      action: 'getCommandInvocation',
      parameters: {
        CommandId: JsonPath.stringAt(`${at}.commandId`),
        InstanceId: JsonPath.stringAt(props.instanceIdPath),
      },
      iamResources: ['*'],
      iamAction: 'ssm:GetCommandInvocation',
      // The whole response: fields SSM leaves out (no S3 URL, say) must not fail a selector.
      resultPath: `${at}.invocation`,
    });
    // Right after SendCommand the invocation may not exist for a moment (aws-facts §4).
    poll.addRetry({
      errors: SSM_ERRORS.invocationNotYet,
      interval: Duration.seconds(2),
      backoffRate: 1.5,
      maxAttempts: 8,
    });
    poll.addRetry({
      errors: SSM_ERRORS.throttling,
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
    });
    const count = new Pass(this, 'Count', {
      stateName: name('count polls'),
      parameters: {
        'commandId.$': `${at}.commandId`,
        'invocation.$': `${at}.invocation`,
        'polls.$': `States.MathAdd(${at}.polls, 1)`,
      },
      resultPath: at,
    });
    const done = new Pass(this, 'Done', { stateName: name('finished') });
    const pending = Condition.or(
      ...SSM_PENDING_STATUSES.map((status) => Condition.stringEquals(`${at}.invocation.Status`, status)),
    );
    const again = new Choice(this, 'Finished?', { stateName: name('still running?') })
      .when(Condition.and(pending, Condition.numberLessThan(`${at}.polls`, props.maxPolls)), wait)
      .otherwise(done);
    this.send.next(wait);
    wait.next(poll);
    poll.next(count);
    count.next(again);
    this.chain = Chain.custom(this.send, [done], done);
  }

  /** Route SendCommand's own failures (agent offline, access denied, retries exhausted). */
  catchSendErrors(handler: State & INextable, resultPath: string): void {
    this.send.addCatch(handler, { errors: [Errors.ALL], resultPath });
  }
}
