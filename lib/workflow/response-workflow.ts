import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Chain,
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  Result,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { SsmCommand } from './ssm-command';

export interface ResponseWorkflowProps {
  readonly analyzeFunction: IFunction;
  readonly notifyFunction: IFunction;
  /** Name and ARN of the collect-diagnostics document. */
  readonly diagnosticsDocument: { name: string; arn: string };
  /** ARNs of the remediation documents the policy allows; none: the workflow has no remediation step at all. */
  readonly remediationDocumentArns: string[];
  /** SendCommand on instances, limited by the instance tag condition. */
  readonly instanceStatement: PolicyStatement;
  readonly outputBucket: IBucket;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** The whole response must finish within this; notify still runs on the way out. @default 30 min */
  readonly timeout?: Duration;
}

/**
 * The response to one incident (Step Functions Standard: one auditable execution per incident, free waits while
 * commands run). Collect diagnostics on the instance, analyze, remediate as planned, notify. Every failure is
 * caught and routed to notify with what is known, so no path skips the notification.
 */
export class ResponseWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ResponseWorkflowProps) {
    super(scope, id);
    const notify = this.notifyStep(props);
    const analyze = new LambdaInvoke(this, 'Analyze', {
      comment: 'Read the diagnostics, find the likely cause, plan remediation by policy',
      lambdaFunction: props.analyzeFunction,
      // No payload: the function receives the whole state.
      payloadResponseOnly: true,
      resultPath: '$.analysis',
      retryOnServiceExceptions: true,
    });
    analyze.addCatch(this.recordFailure('AnalysisFailed', 'analyze', notify), {
      errors: [Errors.ALL],
      resultPath: '$.error',
    });

    const diagnostics = new SsmCommand(this, 'Diagnostics', {
      comment: 'OOM Responder: collect diagnostics',
      documentName: props.diagnosticsDocument.name,
      instanceIdPath: '$.instanceId',
      parameters: {
        killTime: JsonPath.array(JsonPath.stringAt('$.killTime')),
        unit: JsonPath.array(JsonPath.stringAt('$.unit')),
        pid: JsonPath.array(JsonPath.stringAt('$.pid')),
        memcgPath: JsonPath.array(JsonPath.stringAt('$.memcgPath')),
      },
      outputBucketName: props.outputBucket.bucketName,
      outputKeyPrefix: { 'OutputS3KeyPrefix.$': "States.Format('diagnostics/{}/', $.incidentId)" },
      resultPath: '$.diagnostics',
      maxPolls: 24,
      sendIamResources: [props.diagnosticsDocument.arn],
      sendIamStatements: [props.instanceStatement],
    });
    // Not sent (agent offline, instance not tagged, throttled past retries): analyze from the kill alone.
    diagnostics.catchSendErrors(analyze, '$.diagnosticsSendError');
    diagnostics.chain.next(analyze);

    const noInstance = new Pass(this, 'NoInstance', {
      comment: 'The log did not tell which EC2 instance this is: nothing is sent to any host',
      result: Result.fromObject({ unresolved: true }),
      resultPath: '$.diagnostics',
    });
    noInstance.next(analyze);

    const afterAnalysis =
      props.remediationDocumentArns.length > 0 ? this.remediateStep(props, notify).next(notify) : notify;
    analyze.next(afterAnalysis);

    const definition = Chain.start(
      new Choice(this, 'InstanceKnown?')
        .when(Condition.isNull('$.instanceId'), noInstance)
        .otherwise(diagnostics.chain),
    );
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: props.timeout ?? Duration.minutes(30),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      comment: 'OOM Responder: collect diagnostics, analyze, remediate by policy, notify',
    });
  }

  /** Each planned remediation in turn: send its document, wait for it, keep the invocation for the notifier. */
  private remediateStep(props: ResponseWorkflowProps, notify: LambdaInvoke): MapState {
    const map = new MapState(this, 'Remediate', {
      comment: 'Run the planned remediations one at a time',
      itemsPath: '$.analysis.steps',
      maxConcurrency: 1,
      itemSelector: {
        'step.$': '$$.Map.Item.Value',
        'instanceId.$': '$.instanceId',
        'incidentId.$': '$.incidentId',
      },
      resultPath: '$.actions',
    });
    const command = new SsmCommand(this, 'Remediation', {
      comment: 'OOM Responder: remediation',
      documentName: JsonPath.stringAt('$.step.documentName'),
      instanceIdPath: '$.instanceId',
      parameters: JsonPath.objectAt('$.step.parameters') as unknown as Record<string, unknown>,
      outputBucketName: props.outputBucket.bucketName,
      outputKeyPrefix: { 'OutputS3KeyPrefix.$': "States.Format('remediation/{}/', $.incidentId)" },
      resultPath: '$.command',
      maxPolls: 24,
      sendIamResources: props.remediationDocumentArns,
      sendIamStatements: [props.instanceStatement],
    });
    const result = new Pass(this, 'RemediationResult', {
      parameters: { 'step.$': '$.step', 'command.$': '$.command' },
    });
    const notSent = new Pass(this, 'RemediationNotSent', {
      parameters: { 'step.$': '$.step', 'sendError.$': '$.sendError' },
    });
    command.catchSendErrors(notSent, '$.sendError');
    command.chain.next(result);
    map.itemProcessor(command.chain);
    map.addCatch(this.recordFailure('RemediationFailed', 'remediate', notify), {
      errors: [Errors.ALL],
      resultPath: '$.error',
    });
    return map;
  }

  private notifyStep(props: ResponseWorkflowProps): LambdaInvoke {
    const notify = new LambdaInvoke(this, 'Notify', {
      comment: 'Post the summary to Slack and SNS, and record what was sent where',
      lambdaFunction: props.notifyFunction,
      // The state, and the execution's ARN for the "open the execution" link.
      payload: TaskInput.fromObject({ 'state.$': '$', 'executionArn.$': '$$.Execution.Id' }),
      payloadResponseOnly: true,
      resultPath: '$.notification',
      retryOnServiceExceptions: true,
    });
    notify.addRetry({
      errors: [Errors.TASKS_FAILED],
      interval: Duration.seconds(10),
      backoffRate: 2,
      maxAttempts: 2,
    });
    notify.addCatch(
      new Fail(this, 'NotifyFailed', {
        error: 'NotifyFailed',
        cause: 'The notifier could not report the incident',
      }),
      {
        errors: [Errors.ALL],
      },
    );
    notify.next(new Succeed(this, 'Done'));
    return notify;
  }

  /** A failed stage: remember which and why, then notify. */
  private recordFailure(id: string, stage: string, notify: LambdaInvoke): Pass {
    const pass = new Pass(this, id, {
      parameters: { stage, 'error.$': '$.error.Error', 'cause.$': '$.error.Cause' },
      resultPath: '$.failure',
    });
    pass.next(notify);
    return pass;
  }
}
