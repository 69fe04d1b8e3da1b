import { Duration, Stack } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  CfnEventInvokeConfig,
  DestinationType,
  type IDestination,
  type IFunction,
} from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { EXECUTION_ENDED_UNNOTIFIED } from '../../functions/core/workflow/execution-ended';

export interface EndedUnnotifiedProps {
  readonly stateMachine: IStateMachine;
  readonly notifyFunction: IFunction;
  /**
   * Where an execution-ended event goes when even its notification could not be made (alarmed): the queue, for
   * EventBridge, and the on-failure destination that grants the notify function its use.
   */
  readonly deadLetters: { readonly queue: IQueue; readonly destination: IDestination };
}

/**
 * The failures no Catch can take (the execution timeout, States.Runtime, States.DataLimitExceeded, a stopped
 * execution) and the notifier's own failure end the execution FAILED, TIMED_OUT or ABORTED; Step Functions
 * emits "Step Functions Execution Status Change" to EventBridge for them (best effort), and this rule hands it to
 * the notifier, which reports "the response failed before it could notify". Every path that notified ends in
 * Succeed, so such an event means Notify never completed; the notifier also skips an incident it already
 * recorded as notified. Source: Step Functions "Handling errors" (listen for TIMED_OUT with EventBridge) and the
 * EventBridge reference of Step Functions events.
 */
export function notifyWhenEndedUnnotified(scope: Construct, props: EndedUnnotifiedProps): Rule {
  const { stateMachine, notifyFunction, deadLetters } = props;
  const rule = new Rule(scope, 'EndedUnnotified', {
    description: 'OOM Responder: a response that failed, timed out or was stopped before it notified',
    eventPattern: {
      source: ['aws.states'],
      detailType: ['Step Functions Execution Status Change'],
      detail: {
        status: [...EXECUTION_ENDED_UNNOTIFIED],
        stateMachineArn: [stateMachine.stateMachineArn],
      },
    },
  });
  // EventBridge retries delivering the event, then dead-letters it; Lambda then retries the asynchronous
  // invocation twice (a notifier error), then sends it to the same queue. The queue is alarmed.
  const deadLetterQueue = deadLetters.queue;
  rule.addTarget(
    new LambdaFunction(notifyFunction, {
      retryAttempts: 8,
      maxEventAge: Duration.hours(6),
      deadLetterQueue,
    }),
  );
  // Named by ARN, as the rule's invoke permission names it (cfn-lint-serverless ES1007 pairs the two by equal
  // FunctionName; `configureAsyncInvoke` would name it by Ref). CloudFormation takes a name or an ARN.
  const { destination } = deadLetters.destination.bind(scope, notifyFunction, {
    type: DestinationType.FAILURE,
  });
  new CfnEventInvokeConfig(scope, 'NotifyAsyncInvoke', {
    functionName: notifyFunction.functionArn,
    qualifier: '$LATEST',
    maximumRetryAttempts: 2,
    maximumEventAgeInSeconds: Duration.hours(6).toSeconds(),
    destinationConfig: { onFailure: { destination } },
  });
  // EventBridge writes to a KMS-encrypted queue as the service: the key must let it (EventBridge "Using
  // dead-letter queues", encrypted queues). Scoped by account: the rule's ARN here would make a dependency cycle
  // (key -> rule -> queue -> key). A brought-in key is not changed: the README says what to add.
  deadLetterQueue.encryptionMasterKey?.addToResourcePolicy(
    new PolicyStatement({
      sid: 'EventBridgeDeadLetters',
      principals: [new ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
    true,
  );
  return rule;
}

/**
 * Have the same rule hear another state machine of the pipeline (the pressure workflow): one rule, one target and
 * one asynchronous-invoke configuration of the notifier (a function takes only one), whichever workflow ended.
 */
export function alsoNotifyWhenEndedUnnotified(rule: Rule, stateMachine: IStateMachine): void {
  rule.addEventPattern({ detail: { stateMachineArn: [stateMachine.stateMachineArn] } });
}
