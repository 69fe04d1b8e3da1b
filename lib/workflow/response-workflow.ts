import { Aws, Duration, Fn, Names, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Rule } from 'aws-cdk-lib/aws-events';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IFunction, Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Chain,
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  JitterType,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  Result,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { NOTIFY_INCOMPLETE_RETRIES } from '../../functions/core/respond/notify-errors';
import { WorkflowInputSchema } from '../../functions/core/workflow/state';
import { addSwapDocument, collectDiagnosticsDocument, restartServiceDocument } from '../ssm/documents';
import { type EndedUnnotifiedProps, notifyWhenEndedUnnotified } from './ended-unnotified';
import { DELIVERY_TIMEOUT_SECONDS, executionTimeoutOf, maxPollsFor } from './poll-budget';
import { SsmCommand } from './ssm-command';

/** Diagnostics are waited on closely (on-call waits for them); remediations may run for many minutes. */
export const DIAGNOSTICS_POLL_INTERVAL = Duration.seconds(5);
export const REMEDIATION_POLL_INTERVAL = Duration.seconds(10);

/**
 * Throttled or failed Lambda invocations (not the function's own errors), as Step Functions names them; a
 * throttle (`TooManyRequestsException`) is not in CDK's `retryOnServiceExceptions` set. Retried with full jitter so
 * a storm of executions does not retry in lockstep.
 */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
];

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
  /** Where an execution-ended event goes when even its notification could not be made (alarmed). */
  readonly deadLetters: EndedUnnotifiedProps['deadLetters'];
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /**
   * The execution's own timeout, a backstop only: every state has a timeout or bounded retries, and the graph test
   * proves the worst case of every path is below this. An execution that still ends TIMED_OUT (or FAILED, or is
   * stopped) before it notified is reported by the execution-ended rule. @default 3 hours
   */
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
  /** The rule that tells the notifier of an execution that ended unnotified; other workflows add themselves. */
  readonly endedUnnotified: Rule;

  constructor(scope: Construct, id: string, props: ResponseWorkflowProps) {
    super(scope, id);
    const notify = notifyTask(this, props.notifyFunction);
    const analyze = new LambdaInvoke(this, 'Analyze', {
      comment: 'Read the diagnostics, find the likely cause, plan remediation by policy',
      lambdaFunction: props.analyzeFunction,
      // No payload: the function receives the whole state.
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
    // The analysis holds what the diagnostics said: drop the raw command output (up to 24,000 + 8,000 characters)
    // so that the remediations' outputs, added next, keep the state far below the 256 KiB limit.
    // A Pass fails on a path that is not there, and the optional `provenance` (a CLI sample or demo, or a drill's
    // label) and `drill` (set by the detector for a drill only) are kept only by a Pass chosen when they are
    // present: a live state is unchanged. The detector sets `drill` with `provenance`, the CLI `provenance` alone.
    const keep = (optional: readonly OptionalKey[]) => ({
      ...Object.fromEntries(
        Object.keys(WorkflowInputSchema.shape)
          .filter((key) => !isOptionalKey(key) || optional.includes(key))
          .map((key) => [`${key}.$`, `$.${key}`]),
      ),
      'analysis.$': '$.analysis',
    });
    const analyzed = new Pass(this, 'KeepWhatNotifyReads', {
      stateName: 'Keep what notify reads',
      parameters: keep([]),
    });
    const analyzedLabelled = new Pass(this, 'KeepWhatNotifyReadsLabelled', {
      stateName: 'Keep what notify reads, with the provenance',
      parameters: keep(['provenance']),
    });
    const analyzedDrill = new Pass(this, 'KeepWhatNotifyReadsDrill', {
      stateName: 'Keep what notify reads, with the drill',
      parameters: keep(['provenance', 'drill']),
    });
    analyze.next(
      new Choice(this, 'Labelled?', { stateName: 'Provenance given?' })
        .when(
          Condition.and(Condition.isPresent('$.drill'), Condition.isPresent('$.provenance')),
          analyzedDrill,
        )
        .when(Condition.isPresent('$.provenance'), analyzedLabelled)
        .otherwise(analyzed),
    );

    const diagnostics = new SsmCommand(this, 'Diagnostics', {
      comment: 'OOM Responder: collect diagnostics',
      documentName: props.diagnosticsDocument.name,
      instanceIdPath: '$.instanceId',
      parameters: {
        killTime: JsonPath.array(JsonPath.stringAt('$.killTime')),
        unit: JsonPath.array(JsonPath.stringAt('$.unit')),
        pid: JsonPath.array(JsonPath.stringAt('$.pid')),
        memcgPath: JsonPath.array(JsonPath.stringAt('$.memcgPath')),
        processHex: JsonPath.array(JsonPath.stringAt('$.processHex')),
        kernelTime: JsonPath.array(JsonPath.stringAt('$.kernelTime')),
        killer: JsonPath.array(JsonPath.stringAt('$.killer')),
      },
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
    analyzed.next(afterAnalysis);
    analyzedLabelled.next(afterAnalysis);
    analyzedDrill.next(afterAnalysis);

    const definition = Chain.start(
      new Choice(this, 'InstanceKnown?')
        .when(Condition.isNull('$.instanceId'), noInstance)
        .otherwise(diagnostics.chain),
    );
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: vendedLogGroupName(this),
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: props.timeout ?? Duration.hours(3),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      comment: 'OOM Responder: collect diagnostics, analyze, remediate by policy, notify',
    });
    this.endedUnnotified = notifyWhenEndedUnnotified(this, {
      stateMachine: this.stateMachine,
      notifyFunction: props.notifyFunction,
      deadLetters: props.deadLetters,
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
      pollInterval: REMEDIATION_POLL_INTERVAL,
      // Each item runs its own document: its budget follows that document's timeout.
      maxPolls: {
        variable: '$.step.action',
        maxPolls: {
          'add-swap': remediationPolls(executionTimeoutOf(addSwapDocument())),
          'restart-service': remediationPolls(executionTimeoutOf(restartServiceDocument())),
        },
      },
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
    map.addCatch(failureStep(this, 'RemediationFailed', 'remediate', notify), {
      errors: [Errors.ALL],
      resultPath: '$.error',
    });
    return map;
  }
}

/**
 * The Notify task of a workflow: post the summary to Slack and SNS, retried on throttling and on a channel that has
 * not taken the message yet, and ending the execution in Succeed; when even it fails, in Fail (which the
 * execution-ended rule hears).
 */
export function notifyTask(scope: Construct, notifyFunction: IFunction): LambdaInvoke {
  const notify = new LambdaInvoke(scope, 'Notify', {
    comment: 'Post the summary to Slack and SNS, and record what was sent where',
    lambdaFunction: notifyFunction,
    // The state, and the execution's ARN for the "open the execution" link.
    payload: TaskInput.fromObject({ 'state.$': '$', 'executionArn.$': '$$.Execution.Id' }),
    payloadResponseOnly: true,
    resultPath: '$.notification',
    retryOnServiceExceptions: false,
    taskTimeout: taskTimeoutFor(notifyFunction),
  });
  retryLambdaServiceErrors(notify);
  // Before the catch-all below (the first retrier that matches applies): a channel that has not taken the
  // message yet (Slack rate-limited, SNS throttled, a storm follow-up not due). What went out is recorded, so a
  // retry sends only the rest; the backoff outlasts a Retry-After, and jitter keeps a storm's retries apart.
  notify.addRetry({
    errors: ['NotificationIncompleteError'],
    interval: Duration.seconds(30),
    backoffRate: 2,
    maxAttempts: NOTIFY_INCOMPLETE_RETRIES,
    maxDelay: Duration.minutes(5),
    jitterStrategy: JitterType.FULL,
  });
  notify.addRetry({
    errors: [Errors.TASKS_FAILED],
    interval: Duration.seconds(10),
    backoffRate: 2,
    maxAttempts: 2,
  });
  notify.addCatch(
    new Fail(scope, 'NotifyFailed', {
      error: 'NotifyFailed',
      cause: 'The notifier could not report the incident',
    }),
    {
      errors: [Errors.ALL],
    },
  );
  notify.next(new Succeed(scope, 'Done'));
  return notify;
}

/**
 * A failed stage: remember which and why, then notify. With the time limit of the stage's task, when it is
 * one: a States.Timeout comes with an empty cause, and the message must still say which limit was reached.
 */
export function failureStep(
  scope: Construct,
  id: string,
  stage: string,
  notify: LambdaInvoke,
  task?: IFunction,
): Pass {
  const pass = new Pass(scope, id, {
    parameters: {
      stage,
      'error.$': '$.error.Error',
      'cause.$': '$.error.Cause',
      ...(task ? { timeoutSeconds: taskTimeoutSeconds(task) } : {}),
    },
    resultPath: '$.failure',
  });
  pass.next(notify);
  return pass;
}

export function remediationPolls(executionTimeoutSeconds: number): number {
  return maxPollsFor({
    deliveryTimeoutSeconds: DELIVERY_TIMEOUT_SECONDS,
    executionTimeoutSeconds,
    pollIntervalSeconds: REMEDIATION_POLL_INTERVAL.toSeconds(),
  });
}

/** Retry throttled or failed Lambda invocations (`LAMBDA_SERVICE_ERRORS`) with backoff and full jitter. */
export function retryLambdaServiceErrors(task: LambdaInvoke): void {
  task.addRetry({
    errors: LAMBDA_SERVICE_ERRORS,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(30),
    jitterStrategy: JitterType.FULL,
  });
}

/** Above the function's own timeout (plus its init and the invoke), so the function's timeout speaks first. */
export function taskTimeoutFor(fn: IFunction): Timeout {
  return Timeout.duration(Duration.seconds(taskTimeoutSeconds(fn)));
}

export function taskTimeoutSeconds(fn: IFunction): number {
  const own = fn instanceof LambdaFn && fn.timeout ? fn.timeout.toSeconds() : 900;
  return own + 30;
}

/**
 * `/aws/vendedlogs/states/<stack>-<construct hash>-<stack id's first UUID group>`: under the prefix Step Functions
 * logs to without growing the account's CloudWatch Logs resource policy (its size limit fails later deployments),
 * and never the name of another stack's group, nor of this stack's group retained by an earlier `cdk destroy`
 * (a new stack gets a new id).
 */
export function vendedLogGroupName(scope: Construct): string {
  const stack = Stack.of(scope);
  const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  const firstGroup = Fn.select(0, Fn.split('-', stackUuid));
  return `/aws/vendedlogs/states/${stack.stackName}-${Names.uniqueId(scope).slice(-8)}-${firstGroup}`;
}

/** The workflow input's keys a live execution leaves out: kept for notify only when present. */
const OPTIONAL_KEYS = ['provenance', 'drill'] as const;
type OptionalKey = (typeof OPTIONAL_KEYS)[number];

function isOptionalKey(key: string): key is OptionalKey {
  return (OPTIONAL_KEYS as readonly string[]).includes(key);
}
