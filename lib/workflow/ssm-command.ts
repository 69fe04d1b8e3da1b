import { Duration } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  Chain,
  Choice,
  Condition,
  Errors,
  type INextable,
  JitterType,
  JsonPath,
  Pass,
  type State,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { SSM_PENDING_STATUSES } from '../../functions/core/workflow/ssm-invocation';
import { DELIVERY_TIMEOUT_SECONDS } from './poll-budget';

/**
 * Step Functions names SDK errors `Ssm.<ErrorName>Exception` for the errors an API models (aws-facts §5). The SSM
 * model (@aws-sdk/client-ssm 3.1169, `@throws` of SendCommandCommand and GetCommandInvocationCommand) lists
 * InternalServerError as the only server fault of both, and no ThrottlingException: a throttled call ("Rate
 * exceeded") reaches Step Functions as the generic `Ssm.SsmException` (aws-facts §10), which is retried with the
 * server fault. `Ssm.ThrottlingException` would never match here.
 */
export const SSM_ERRORS = {
  transient: ['Ssm.SsmException', 'Ssm.InternalServerErrorException'],
  invocationNotYet: ['Ssm.InvocationDoesNotExistException'],
};

/** The poll budget per value of a state field (a remediation's action), for a Map whose items run different documents. */
export interface PollBudgetByValue {
  /** JSON path of the field, e.g. `$.step.action`. */
  readonly variable: string;
  readonly maxPolls: Readonly<Record<string, number>>;
}

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
  /** Stop waiting after this many polls (see `maxPollsFor`): one number, or one per value of a state field. */
  readonly maxPolls: number | PollBudgetByValue;
  /** IAM for SendCommand: the document ARNs, and the instance statement with its tag condition. */
  readonly sendIamResources: string[];
  readonly sendIamStatements: PolicyStatement[];
  readonly comment: string;
}

/** Each SDK call is one small request: a call that hangs this long is retried (the poll) or caught (the send). */
export const SEND_TIMEOUT = Duration.seconds(30);
export const POLL_TIMEOUT = Duration.seconds(5);

/**
 * Send an SSM command and wait for it the way Step Functions must (there is no `.sync` for SendCommand): send,
 * wait, GetCommandInvocation, and loop while the status is pending (`SSM_PENDING_STATUSES`) and the poll budget
 * lasts. The chain ends with `{commandId, polls, invocation}` at `resultPath`, plus `pollError` when the status
 * could not be read, or `timedOutWaiting` (with `pollIntervalSeconds`) when the budget ran out; deciding what a
 * final status means is the Lambdas' job (`classifyInvocation`). Nothing in it fails the execution: a poll error
 * ends the wait, with what is known.
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
        TimeoutSeconds: DELIVERY_TIMEOUT_SECONDS,
        Comment: props.comment.slice(0, 100),
      },
      iamResources: props.sendIamResources,
      iamAction: 'ssm:SendCommand',
      additionalIamStatements: props.sendIamStatements,
      resultSelector: { 'commandId.$': '$.Command.CommandId', polls: 0 },
      resultPath: at,
      taskTimeout: Timeout.duration(SEND_TIMEOUT),
    });
    // Not States.Timeout: a send that timed out may have been delivered, and a second one would run twice.
    this.send.addRetry({
      errors: SSM_ERRORS.transient,
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 4,
      maxDelay: Duration.seconds(20),
      jitterStrategy: JitterType.FULL,
    });

    const interval = props.pollInterval ?? Duration.seconds(5);
    const wait = new Wait(this, 'Wait', { stateName: name('wait'), time: WaitTime.duration(interval) });
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
      // The whole response, no ResultSelector: a selector path SSM leaves out fails the execution with
      // States.Runtime, which no Catch takes. The Lambdas read Status, StatusDetails, ResponseCode and both outputs
      // in full (summary, result line, last stderr line); the other fields are ids, names and URLs (about 2 KB).
      resultPath: `${at}.invocation`,
      taskTimeout: Timeout.duration(POLL_TIMEOUT),
    });
    // Right after SendCommand the invocation may not exist for a moment (aws-facts §4).
    poll.addRetry({
      errors: SSM_ERRORS.invocationNotYet,
      interval: Duration.seconds(2),
      backoffRate: 1.5,
      maxAttempts: 8,
    });
    // A read: safe to repeat after a timeout. Jitter spreads a fleet's polls after a throttling burst.
    poll.addRetry({
      errors: [...SSM_ERRORS.transient, Errors.TIMEOUT],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 5,
      maxDelay: Duration.seconds(30),
      jitterStrategy: JitterType.FULL,
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
    // Retries exhausted, or an error not worth retrying (InvalidCommandId, ...): stop waiting, keep the error.
    poll.addCatch(done, { errors: [Errors.ALL], resultPath: `${at}.pollError` });
    // The interval goes with the flag so that the message can say how long the response waited (polls × interval)
    // in minutes, not in checks.
    const gaveUp = new Pass(this, 'GaveUp', {
      stateName: name('timed out waiting'),
      comment: 'Still pending after the document timeout plus delivery: SSM will not finish it now',
      parameters: {
        'commandId.$': `${at}.commandId`,
        'invocation.$': `${at}.invocation`,
        'polls.$': `${at}.polls`,
        timedOutWaiting: true,
        pollIntervalSeconds: interval.toSeconds(),
      },
      resultPath: at,
    });
    gaveUp.next(done);
    const pending = Condition.or(
      ...SSM_PENDING_STATUSES.map((status) => Condition.stringEquals(`${at}.invocation.Status`, status)),
    );
    const again = new Choice(this, 'Finished?', { stateName: name('still running?') })
      .when(Condition.and(pending, withinBudget(`${at}.polls`, props.maxPolls)), wait)
      .when(pending, gaveUp)
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

function withinBudget(polls: string, budget: number | PollBudgetByValue): Condition {
  if (typeof budget === 'number') return Condition.numberLessThan(polls, budget);
  const entries = Object.entries(budget.maxPolls);
  if (entries.length === 0) throw new Error('a poll budget by value needs at least one value');
  const known = entries.map(([value]) => Condition.stringEquals(budget.variable, value));
  return Condition.or(
    ...entries.map(([value, max]) =>
      Condition.and(Condition.stringEquals(budget.variable, value), Condition.numberLessThan(polls, max)),
    ),
    // A value without a budget of its own gets the largest: never less than any document may need.
    Condition.and(
      Condition.not(Condition.or(...known)),
      Condition.numberLessThan(polls, Math.max(...entries.map(([, max]) => max))),
    ),
  );
}
