import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarm,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  CfnEventInvokeConfig,
  DestinationType,
  type IDestination,
  type IFunction,
} from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PipelineFunction } from '../functions/pipeline-function';
import { acknowledge, acknowledgeWildcardResource } from '../nag';
import { PressureWorkflow } from '../workflow/pressure-workflow';
import { grantTable } from './table-access';

export interface PressureResponseProps {
  /** The memory-pressure rule (contributors of the early-warning alarms going into ALARM). */
  readonly rule: Rule;
  readonly table: ITable;
  readonly analyzeFunction: IFunction;
  readonly notifyFunction: IFunction;
  readonly diagnosticsDocument: { name: string; arn: string };
  readonly addSwapDocument: { name: string; arn: string } | undefined;
  readonly instanceStatement: PolicyStatement;
  readonly outputBucket: IBucket;
  readonly endedUnnotified: Rule;
  readonly deadLetters: { readonly queue: IQueue; readonly destination: IDestination };
  /** Where the pipeline's own alarms go (those of the pressure function and state machine too). */
  readonly topic: ITopic;
  /** A second warning on an instance within this time of the first is not answered again. */
  readonly cooldown: Duration;
  readonly retention: Duration;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** The pressure function's reserved concurrency. @default no reservation */
  readonly reservedConcurrency?: number;
}

/**
 * The pipeline's answer to a memory-pressure warning: the rule invokes the pressure function (asynchronously, with
 * retries and the dead-letter queue behind both EventBridge and Lambda), which records the pressure incident with
 * the instance's cooldown and starts the pressure workflow.
 */
export class PressureResponse extends Construct {
  readonly function: PipelineFunction;
  readonly workflow: PressureWorkflow;
  /** The pressure function's errors and the pressure workflow's failed or timed-out executions, to the topic. */
  readonly alarms: IAlarm[] = [];

  constructor(scope: Construct, id: string, props: PressureResponseProps) {
    super(scope, id);
    const common = { logRetention: props.logRetention, removalPolicy: props.removalPolicy };
    this.workflow = new PressureWorkflow(this, 'Workflow', {
      ...common,
      analyzeFunction: props.analyzeFunction,
      notifyFunction: props.notifyFunction,
      diagnosticsDocument: props.diagnosticsDocument,
      addSwapDocument: props.addSwapDocument,
      instanceStatement: props.instanceStatement,
      outputBucket: props.outputBucket,
      endedUnnotified: props.endedUnnotified,
    });
    const stateMachine = this.workflow.stateMachine;
    this.function = new PipelineFunction(this, 'Function', {
      ...common,
      entry: 'pressure/index.ts',
      description:
        'OOM Responder: record a memory-pressure warning (per-instance cooldown) and start the pressure workflow',
      timeout: Duration.seconds(30),
      reservedConcurrency: props.reservedConcurrency,
      environment: {
        INCIDENT_TABLE_NAME: props.table.tableName,
        PRESSURE_STATE_MACHINE_ARN: stateMachine.stateMachineArn,
        PRESSURE_COOLDOWN_MINUTES: String(props.cooldown.toMinutes()),
        RETENTION_DAYS: String(props.retention.toDays()),
      },
    });
    const fn = this.function.function;
    // recordWarning: one TransactWriteItems of two conditional puts (authorized as PutItem).
    grantTable(props.table, fn, ['dynamodb:PutItem']);
    stateMachine.grantStartExecution(fn);
    // The analyze function's cloudwatch:GetMetricData (the warning's projection) is granted with the kill timeline's,
    // in lib/oom-responder.ts: both exist exactly when earlyWarning is on.
    // EventBridge retries the invoke (throttled, Lambda unavailable), then dead-letters the event; Lambda retries
    // the function's own failure twice, then sends the invocation record to the same alarmed queue.
    // Named by ARN, as the rule's invoke permission names it (cfn-lint-serverless ES1007 pairs the two by equal
    // FunctionName; `configureAsyncInvoke` would name it by Ref), as for the execution-ended rule's notifier.
    const { destination } = props.deadLetters.destination.bind(this, fn, { type: DestinationType.FAILURE });
    new CfnEventInvokeConfig(this, 'AsyncInvoke', {
      functionName: fn.functionArn,
      qualifier: '$LATEST',
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: Duration.hours(1).toSeconds(),
      destinationConfig: { onFailure: { destination } },
    });
    props.rule.addTarget(
      new LambdaFunction(fn, {
        // A warning an hour late is stale: the metrics and the next kill's own message say more by then.
        maxEventAge: Duration.hours(1),
        retryAttempts: 20,
        deadLetterQueue: props.deadLetters.queue,
      }),
    );
    this.alarm(
      props.topic,
      'Errors',
      'OOM Responder: the pressure function failed on a memory-pressure warning (Lambda retries it, then the dead-letter queue keeps it)',
      fn.metricErrors({ period: Duration.minutes(5) }) as Metric,
    );
    this.alarm(
      props.topic,
      'FailedResponses',
      'OOM Responder: a pressure workflow failed (the notifier could not report a memory-pressure warning)',
      stateMachine.metricFailed({ period: Duration.minutes(5) }) as Metric,
    );
    this.alarm(
      props.topic,
      'TimedOutResponses',
      'OOM Responder: a pressure workflow timed out',
      stateMachine.metricTimedOut({ period: Duration.minutes(5) }) as Metric,
    );
    this.acknowledgeFindings(props);
  }

  /** As the pipeline's other alarms (`Alarms`): any datapoint of 1 or more in 5 minutes, missing data is fine. */
  private alarm(topic: ITopic, id: string, description: string, metric: Metric): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(topic));
    this.alarms.push(alarm);
  }

  /** The cdk-nag findings of the function and the state machine, each with its reason (as the kill pipeline's). */
  private acknowledgeFindings(props: PressureResponseProps): void {
    const xray =
      'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) supports no resource-level permissions';
    acknowledge(this.function.role, 'AwsSolutions-IAM5[Resource::*]', xray);
    acknowledge(
      this.function.function,
      'Serverless-LambdaDLQ',
      'Asynchronous failures go to an on-failure destination (the encrypted SQS queue, with the whole invocation record), which this rule does not recognize',
    );
    const machine = this.workflow.stateMachine.role;
    acknowledge(
      machine,
      'AwsSolutions-IAM5[Resource::*]',
      `ssm:GetCommandInvocation supports no resource-level permissions; ${xray}`,
    );
    for (const fn of [props.analyzeFunction, props.notifyFunction]) {
      acknowledgeWildcardResource(
        machine,
        `${fn.functionArn}:*`,
        "LambdaInvoke may call the function's versions; the function itself is named",
      );
    }
    acknowledgeWildcardResource(
      machine,
      props.instanceStatement.resources[0] ?? '',
      "SendCommand reaches only instances carrying the OOM Responder tag (ssm:resourceTag condition), and only this app's diagnostics and add-swap documents",
    );
  }
}
