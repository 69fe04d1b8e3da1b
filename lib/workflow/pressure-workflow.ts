import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { Rule } from 'aws-cdk-lib/aws-events';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { PressureWorkflowInputSchema } from '../../functions/core/workflow/pressure-state';
import { addSwapDocument, collectDiagnosticsDocument } from '../ssm/documents';
import { alsoNotifyWhenEndedUnnotified } from './ended-unnotified';
import { DELIVERY_TIMEOUT_SECONDS, executionTimeoutOf, maxPollsFor } from './poll-budget';
import {
  DIAGNOSTICS_POLL_INTERVAL,
  failureStep,
  notifyTask,
  REMEDIATION_POLL_INTERVAL,
  remediationPolls,
  retryLambdaServiceErrors,
  taskTimeoutFor,
  vendedLogGroupName,
} from './response-workflow';
import { SsmCommand } from './ssm-command';

export interface PressureWorkflowProps {
  /** The same analyze and notify functions as the kill workflow's: they tell the two states apart by `mode`. */
  readonly analyzeFunction: IFunction;
  readonly notifyFunction: IFunction;
  /** Name and ARN of the collect-diagnostics document (run with `mode=pressure`). */
  readonly diagnosticsDocument: { name: string; arn: string };
  /** The add-swap document, when the policy allows it: the only remediation a warning may lead to. */
  readonly addSwapDocument: { name: string; arn: string } | undefined;
  /** SendCommand on instances, limited by the instance tag condition (the kill workflow's statement). */
  readonly instanceStatement: PolicyStatement;
  readonly outputBucket: IBucket;
  /** The kill workflow's execution-ended rule, which this state machine's executions are added to. */
  readonly endedUnnotified: Rule;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /**
   * The execution's own timeout, a backstop only (every state is bounded, and the graph test proves the worst
   * case is below it: with a preventive swap file of 64 GiB and every retry of Notify, about 2 h 40 min).
   * @default 3 hours, as the kill workflow's
   */
  readonly timeout?: Duration;
}

/**
 * The answer to a memory-pressure warning, before any kill (Step Functions Standard, one execution per warning,
 * named after its pressure incident): read-only diagnostics on the instance while the growing process is still
 * alive (the collect-diagnostics document with `mode=pressure`), the analysis (the analyze function, in pressure
 * mode), a preventive swap file only when the analysis planned one (the policy allows it), and the warning to
 * on-call (the notify function). Every failure is caught and goes to Notify with what is known (`failure`), as
 * in the kill workflow; an execution that ends without notifying is heard by the kill workflow's execution-ended
 * rule, extended to this state machine.
 */
export class PressureWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PressureWorkflowProps) {
    super(scope, id);
    const notify = notifyTask(this, props.notifyFunction);
    const analyze = new LambdaInvoke(this, 'Analyze', {
      comment: 'Read the pressure diagnostics, project the time to exhaustion, name the top grower',
      lambdaFunction: props.analyzeFunction,
      // No payload: the function receives the whole state, `mode: 'pressure'` included.
      payloadResponseOnly: true,
      resultPath: '$.analysis',
      retryOnServiceExceptions: false,
      taskTimeout: taskTimeoutFor(props.analyzeFunction),
    });
    retryLambdaServiceErrors(analyze);
    analyze.addCatch(failureStep(this, 'AnalysisFailed', 'analyze', notify, props.analyzeFunction), {
      errors: [Errors.ALL],
      resultPath: '$.error',
    });
    // The analysis holds what the diagnostics said: the raw command output (up to 32,000 characters) is dropped,
    // as in the kill workflow. Every field of the input is present (nullable, never absent), so this Pass cannot
    // fail on a missing path.
    const analyzed = new Pass(this, 'KeepWhatNotifyReads', {
      stateName: 'Keep what notify reads',
      parameters: {
        ...Object.fromEntries(
          Object.keys(PressureWorkflowInputSchema.shape).map((key) => [`${key}.$`, `$.${key}`]),
        ),
        'analysis.$': '$.analysis',
      },
    });
    analyze.next(analyzed);

    const diagnostics = new SsmCommand(this, 'Diagnostics', {
      comment: 'OOM Responder: collect diagnostics under memory pressure',
      documentName: props.diagnosticsDocument.name,
      instanceIdPath: '$.instanceId',
      // No kill to look for: the document's kill parameters keep their defaults (empty).
      parameters: { mode: ['pressure'] },
      outputBucketName: props.outputBucket.bucketName,
      outputKeyPrefix: { 'OutputS3KeyPrefix.$': "States.Format('diagnostics/{}/', $.incidentId)" },
      resultPath: '$.diagnostics',
      pollInterval: DIAGNOSTICS_POLL_INTERVAL,
      maxPolls: maxPollsFor({
        deliveryTimeoutSeconds: DELIVERY_TIMEOUT_SECONDS,
        executionTimeoutSeconds: executionTimeoutOf(collectDiagnosticsDocument()),
        pollIntervalSeconds: DIAGNOSTICS_POLL_INTERVAL.toSeconds(),
      }),
      sendIamResources: [props.diagnosticsDocument.arn],
      sendIamStatements: [props.instanceStatement],
    });
    // Not sent (agent offline, instance not tagged, throttled past retries): analyze from the warning and metrics.
    diagnostics.catchSendErrors(analyze, '$.diagnosticsSendError');
    diagnostics.chain.next(analyze);

    if (props.addSwapDocument) {
      const remediate = this.preventiveSwap(props, props.addSwapDocument, notify);
      remediate.next(notify);
      analyzed.next(
        new Choice(this, 'SwapPlanned?', { stateName: 'Preventive swap planned?' })
          .when(Condition.isPresent('$.analysis.steps[0]'), remediate)
          .otherwise(notify),
      );
    } else {
      analyzed.next(notify);
    }

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: vendedLogGroupName(this),
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(diagnostics.chain),
      timeout: props.timeout ?? Duration.hours(3),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      comment:
        'OOM Responder: memory-pressure warning: collect diagnostics, analyze, add swap if planned, notify',
    });
    alsoNotifyWhenEndedUnnotified(props.endedUnnotified, this.stateMachine);
  }

  /**
   * The planned steps, one at a time, as in the kill workflow; SendCommand is granted for the add-swap document
   * alone, so a step naming any other document is refused by IAM and reported as not sent.
   */
  private preventiveSwap(
    props: PressureWorkflowProps,
    addSwap: { name: string; arn: string },
    notify: LambdaInvoke,
  ): MapState {
    const map = new MapState(this, 'Remediate', {
      comment: 'Run the planned preventive remediation (add swap) one step at a time',
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
      comment: 'OOM Responder: preventive remediation',
      documentName: JsonPath.stringAt('$.step.documentName'),
      instanceIdPath: '$.instanceId',
      parameters: JsonPath.objectAt('$.step.parameters') as unknown as Record<string, unknown>,
      outputBucketName: props.outputBucket.bucketName,
      outputKeyPrefix: { 'OutputS3KeyPrefix.$': "States.Format('remediation/{}/', $.incidentId)" },
      resultPath: '$.command',
      pollInterval: REMEDIATION_POLL_INTERVAL,
      maxPolls: remediationPolls(executionTimeoutOf(addSwapDocument())),
      sendIamResources: [addSwap.arn],
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
    map.addCatch(failureStep(this, 'RemediationFailed', 'remediate', notify), {
      errors: [Errors.ALL],
      resultPath: '$.error',
    });
    return map;
  }
}
