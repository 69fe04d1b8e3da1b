import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IRule } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  CfnAccountPolicy,
  FilterPattern,
  type ILogGroup,
  LogGroup,
  RetentionDays,
  SubscriptionFilter,
} from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { GSI1, GSI2 } from '../functions/adapters/dynamodb/items';
import { SUBSCRIPTION_FILTER_TERMS } from '../functions/core/detect/filter-terms';
import { PipelineFunction } from './functions/pipeline-function';
import { AgentConfigurations } from './log-shipping/agent-configurations';
import { acknowledge, acknowledgeWildcardResource } from './nag';
import { Alarms } from './observability/alarms';
import { Dashboard } from './observability/dashboard';
import { type InstanceTag, type OomResponderProps, resolveProps } from './oom-responder-props';
import { Notifications } from './parts/notifications';
import { PressureResponse } from './parts/pressure-response';
import { SsmDocuments } from './parts/ssm-documents';
import { Storage } from './parts/storage';
import { grantTable } from './parts/table-access';
import { ResponseWorkflow } from './workflow/response-workflow';

/**
 * OOM Responder: the whole pipeline for Linux OOM kills on EC2. Kernel lines reach CloudWatch Logs; a
 * subscription filter invokes the detector, which records incidents and starts one response each: diagnostics
 * over SSM, analysis, remediation as the policy allows (off by default), and a notification to SNS and Slack.
 */
export class OomResponder extends Construct {
  readonly topic: ITopic;
  readonly stateMachine: StateMachine;
  readonly kernelLogGroup: ILogGroup | undefined;
  /** Where SSM writes full command output (`diagnostics/` and `remediation/` prefixes). */
  readonly outputBucket: IBucket;
  /** Attach to the instance profiles of managed instances: lets the SSM agent write full output to the bucket. */
  readonly instancePolicyStatements: PolicyStatement[];
  /**
   * The rule that matches an instance's memory-pressure contributor going into ALARM (its target is the pressure
   * function): where a target of your own is added. `undefined` with `earlyWarning: false`.
   */
  readonly memoryPressureRule: IRule | undefined;
  /** The state machine that answers a memory-pressure warning. `undefined` with `earlyWarning: false`. */
  readonly pressureStateMachine: StateMachine | undefined;
  /** The tag managed instances carry (the SSM policy's condition); `oom-responder drill` checks an instance for it. */
  readonly instanceTag: InstanceTag;

  constructor(scope: Construct, id: string, props: OomResponderProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const config = resolveProps(props, { stackName: stack.stackName });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const policy = config.remediationPolicy;
    this.instanceTag = config.instanceTag;

    const storage = new Storage(this, 'Storage', { retention: config.retention, removalPolicy });
    this.outputBucket = storage.bucket;
    const notifications = new Notifications(this, 'Notifications', {
      topic: props.notificationTopic,
      encryptionKey: props.encryptionKey,
      slackWebhookSecret: config.slackWebhookSecret,
      removalPolicy,
    });
    this.topic = notifications.topic;
    const documents = new SsmDocuments(this, 'Documents', {
      addSwap: policy.addSwap.enabled,
      restartService: policy.restartService.enabled,
    });

    const common = { logRetention, removalPolicy };
    const analyze = new PipelineFunction(this, 'Analyze', {
      ...common,
      entry: 'analyze/index.ts',
      description: 'OOM Responder: read diagnostics, find the likely cause, plan remediation by policy',
      memorySizeMiB: 512,
      timeout: Duration.seconds(30),
      reservedConcurrency: config.reservedConcurrency.analyze,
      // The policy travels in the environment, which Lambda caps at 4 KB: a long allow-list is refused at synth.
      environmentTooLarge:
        'the remediation policy (REMEDIATION_POLICY) takes most of it: shorten remediationPolicy.restartService.allowedUnits, using patterns with one * (myapp-*.service) for families of units',
      environment: {
        INCIDENT_TABLE_NAME: storage.table.tableName,
        REMEDIATION_POLICY: JSON.stringify(policy),
        DIAGNOSTICS_BUCKET: storage.bucket.bucketName,
        ...(documents.addSwap ? { ADD_SWAP_DOCUMENT: documents.addSwap.name } : {}),
        ...(documents.restartService ? { RESTART_SERVICE_DOCUMENT: documents.restartService.name } : {}),
        // The agent configurations publish the memory metrics only with earlyWarning: then each kill's message
        // carries the hour before it, and the threshold the message compares with is the alarm's.
        ...(config.earlyWarning
          ? { EARLY_WARNING_MEM_AVAILABLE_PERCENT: String(config.earlyWarning.memAvailablePercent) }
          : {}),
      },
    });
    if (config.earlyWarning) {
      // The memory timeline of each kill's message, and the projection of a pressure warning (the pressure workflow
      // exists only with earlyWarning too). cloudwatch:GetMetricData supports no resource-level permissions
      // (Service Authorization Reference, "Actions, resources, and condition keys for Amazon CloudWatch": its
      // resource types column is empty), so it is granted on "*"; it reads metrics, nothing else.
      analyze.function.addToRolePolicy(
        new PolicyStatement({
          sid: 'ReadMemoryMetricsForTheTimeline',
          actions: ['cloudwatch:GetMetricData'],
          resources: ['*'],
        }),
      );
    }
    // getIncident, history (GSI1), recentActions (Query), recordAction.
    grantTable(storage.table, analyze.function, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'], {
      indexes: [GSI1],
    });

    const notify = new PipelineFunction(this, 'Notify', {
      ...common,
      entry: 'notify/index.ts',
      description: 'OOM Responder: post the incident summary to Slack and SNS',
      timeout: Duration.seconds(60),
      // Unreserved by default: the workflow invokes it synchronously, and a reservation throttles it in a storm.
      reservedConcurrency: config.reservedConcurrency.notify,
      environment: {
        INCIDENT_TABLE_NAME: storage.table.tableName,
        TOPIC_ARN: this.topic.topicArn,
        DIAGNOSTICS_BUCKET: storage.bucket.bucketName,
        STORM_THRESHOLD: String(config.stormThreshold),
        STORM_WINDOW_SECONDS: String(config.stormWindow.toSeconds()),
        Q_DEVELOPER_FORMAT: String(config.qDeveloperNotifications),
        ...(notifications.slackSecret ? { SLACK_WEBHOOK_SECRET: notifications.slackSecret.secretArn } : {}),
      },
    });
    // getIncident, stormWindow (GSI1), incidentsOn (GSI2), recordNotification.
    grantTable(
      storage.table,
      notify.function,
      ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      { indexes: [GSI1, GSI2] },
    );
    this.topic.grantPublish(notify.function);
    notifications.slackSecret?.grantRead(notify.function);

    const instanceStatement = new PolicyStatement({
      sid: 'SendCommandOnlyToTaggedInstances',
      effect: Effect.ALLOW,
      actions: ['ssm:SendCommand'],
      resources: [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })],
      conditions: {
        StringEquals: { [`ssm:resourceTag/${config.instanceTag.key}`]: config.instanceTag.value },
      },
    });
    const remediationDocumentArns = [documents.addSwap, documents.restartService].flatMap((doc) =>
      doc ? [doc.arn] : [],
    );
    const workflow = new ResponseWorkflow(this, 'Workflow', {
      ...common,
      analyzeFunction: analyze.function,
      notifyFunction: notify.function,
      diagnosticsDocument: documents.collectDiagnostics,
      remediationDocumentArns,
      instanceStatement,
      outputBucket: storage.bucket,
      deadLetters: { queue: notifications.deadLetters, destination: notifications.deadLetterDestination() },
    });
    this.stateMachine = workflow.stateMachine;

    const detect = new PipelineFunction(this, 'Detect', {
      ...common,
      entry: 'detect/index.ts',
      description: 'OOM Responder: turn kernel OOM lines into incidents and start one response each',
      memorySizeMiB: 512,
      timeout: Duration.seconds(60),
      // Unreserved by default: a reservation fails the deploy in accounts with a low concurrency quota.
      reservedConcurrency: config.reservedConcurrency.detect,
      // The EC2 SDK is a third of the bundle and only needed when a stream does not name its instance.
      lazyModules: [{ importPath: './describe-instances', entry: 'adapters/ec2/describe-instances.ts' }],
      environment: {
        INCIDENT_TABLE_NAME: storage.table.tableName,
        STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
        COOLDOWN_MINUTES: String(config.cooldown.toMinutes()),
        CONTEXT_BEFORE_SECONDS: String(config.contextBefore.toSeconds()),
        CONTEXT_AFTER_SECONDS: String(config.contextAfter.toSeconds()),
        STORM_WINDOW_SECONDS: String(config.stormWindow.toSeconds()),
        RETENTION_DAYS: String(config.retention.toDays()),
      },
    });
    detect.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: notifications.deadLetterDestination(),
    });
    // recordKills (conditional puts, updates, reads), markExecutionStarted, getIncident.
    grantTable(storage.table, detect.function, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    this.stateMachine.grantStartExecution(detect.function);
    detect.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ResolveInstancesFromHostNames',
        actions: ['ec2:DescribeInstances'],
        // DescribeInstances supports no resource-level permissions.
        resources: ['*'],
      }),
    );

    const alarms = new Alarms(this, 'Alarms', {
      topic: this.topic,
      deadLetters: notifications.deadLetters,
      stateMachine: this.stateMachine,
      detect: detect.function,
      notify: notify.function,
      analyze: analyze.function,
      earlyWarning: config.earlyWarning,
    });
    const pressureRule = alarms.earlyWarning?.contributorInAlarm;
    this.memoryPressureRule = pressureRule;
    const pressure = pressureRule
      ? new PressureResponse(this, 'Pressure', {
          ...common,
          rule: pressureRule,
          table: storage.table,
          analyzeFunction: analyze.function,
          notifyFunction: notify.function,
          diagnosticsDocument: documents.collectDiagnostics,
          addSwapDocument: documents.addSwap,
          instanceStatement,
          outputBucket: storage.bucket,
          endedUnnotified: workflow.endedUnnotified,
          deadLetters: {
            queue: notifications.deadLetters,
            destination: notifications.deadLetterDestination(),
          },
          cooldown: config.pressureCooldown,
          retention: config.retention,
          reservedConcurrency: config.reservedConcurrency.pressure,
          topic: this.topic,
        })
      : undefined;
    this.pressureStateMachine = pressure?.workflow.stateMachine;
    // Retained by default, so a redeploy after `cdk destroy` finds it: then it is imported (createKernelLogGroup false).
    this.kernelLogGroup = config.createKernelLogGroup
      ? new LogGroup(this, 'KernelLogs', {
          logGroupName: config.kernelLogGroupName,
          retention: logRetention,
          removalPolicy,
        })
      : LogGroup.fromLogGroupName(this, 'KernelLogs', config.kernelLogGroupName);
    // With the account-level policy every group is already subscribed: a filter too would deliver each line twice.
    const logGroups = config.accountSubscriptionPolicy
      ? []
      : [this.kernelLogGroup, ...config.kernelLogGroups];
    const filterPattern = FilterPattern.anyTerm(...SUBSCRIPTION_FILTER_TERMS);
    logGroups.forEach((logGroup, index) => {
      // A log group takes two subscription filters: a third fails the deploy (LimitExceededException).
      new SubscriptionFilter(this, `OomFilter${index}`, {
        logGroup,
        destination: new LambdaDestination(detect.function),
        filterPattern,
        // Named after the stack: a second stack subscribing the same group adds its filter, never replaces ours.
        filterName: `${stack.stackName}-oom-responder`,
      });
      // The detector reads the lines around each kill, only in the groups it is subscribed to.
      logGroup.grant(detect.function, 'logs:GetLogEvents');
      if (!(config.createKernelLogGroup && logGroup === this.kernelLogGroup)) {
        acknowledgeWildcardResource(
          detect.role,
          logGroup.logGroupArn,
          'GetLogEvents on the streams of a subscribed kernel log group: streams are named per instance, so they cannot be listed',
        );
      }
    });
    if (config.accountSubscriptionPolicy) {
      const ownGroups = [
        ...[detect, analyze, notify].map((fn) => fn.logGroup.logGroupName),
        workflow.logGroup.logGroupName,
        ...(pressure
          ? [pressure.function.logGroup.logGroupName, pressure.workflow.logGroup.logGroupName]
          : []),
      ];
      const accountPolicy = new CfnAccountPolicy(this, 'AccountSubscription', {
        policyName: `${stack.stackName}-oom-responder`,
        policyType: 'SUBSCRIPTION_FILTER_POLICY',
        scope: 'ALL',
        selectionCriteria: `LogGroupName NOT IN ${JSON.stringify(ownGroups)}`,
        policyDocument: stack.toJsonString({
          DestinationArn: detect.function.functionArn,
          // No Distribution: it applies only to Kinesis Data Streams destinations (PutAccountPolicy reference).
          FilterPattern: filterPattern.logPatternString,
        }),
      });
      // Seen in the template when CREATE fails: the account and Region may already have one (another stack, a tool).
      accountPolicy.addMetadata(
        'OomResponder',
        'One subscription filter policy per account and Region: if creating it fails, the account already has one (aws logs describe-account-policies --policy-type SUBSCRIPTION_FILTER_POLICY); remove it or deploy without accountSubscriptionPolicy and list the groups in kernelLogGroups',
      );
      detect.function.addPermission('AccountSubscriptionInvoke', {
        principal: new ServicePrincipal('logs.amazonaws.com'),
        sourceAccount: stack.account,
        sourceArn: stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      });
      const anyStream = stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: '*:log-stream:*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      detect.function.addToRolePolicy(
        new PolicyStatement({
          sid: 'ReadContextFromAnySubscribedGroup',
          actions: ['logs:GetLogEvents'],
          resources: [anyStream],
        }),
      );
      acknowledgeWildcardResource(
        detect.role,
        anyStream,
        'The account-level subscription sends kills from any log group; the detector reads only the stream each kill came from (GetLogEvents, read-only)',
      );
    }

    this.instancePolicyStatements = storage.commandOutputStatements();
    new AgentConfigurations(this, 'AgentConfigurations', {
      logGroupName: config.kernelLogGroupName,
      instanceTag: config.instanceTag,
      applyWithAssociation: config.applyAgentConfiguration,
      memoryMetrics: config.earlyWarning !== undefined,
    });
    new Dashboard(this, 'Dashboard', {
      stateMachine: this.stateMachine,
      detectLogGroup: detect.logGroup,
      notifyLogGroup: notify.logGroup,
      alarms: [...alarms.all, ...(pressure?.alarms ?? [])],
    });
    acknowledgeFindings({
      detect,
      analyze,
      notify,
      workflow,
      storage,
      notifications,
      instanceArn: instanceStatement.resources[0] ?? '',
    });
  }
}

/** The cdk-nag findings this design accepts, each with its reason (see also the stack's instance policy). */
function acknowledgeFindings(parts: {
  detect: PipelineFunction;
  analyze: PipelineFunction;
  notify: PipelineFunction;
  workflow: ResponseWorkflow;
  storage: Storage;
  notifications: Notifications;
  instanceArn: string;
}): void {
  const xray =
    'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) supports no resource-level permissions';
  acknowledge(
    parts.analyze.role,
    'AwsSolutions-IAM5[Resource::*]',
    `${xray}; nor does cloudwatch:GetMetricData, read-only, for the memory timeline of each kill and the pressure analysis (with earlyWarning)`,
  );
  acknowledge(parts.notify.role, 'AwsSolutions-IAM5[Resource::*]', xray);
  acknowledge(
    parts.detect.role,
    'AwsSolutions-IAM5[Resource::*]',
    `${xray}; nor does ec2:DescribeInstances, used read-only to resolve host names to instances`,
  );
  acknowledge(
    parts.notify.role,
    'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    'Granted by CDK (grantPublish) for the KMS-encrypted topic; limited to the topic key',
  );
  const machine = parts.workflow.stateMachine.role;
  acknowledge(
    machine,
    'AwsSolutions-IAM5[Resource::*]',
    `ssm:GetCommandInvocation supports no resource-level permissions; ${xray}`,
  );
  acknowledgeWildcardResource(
    machine,
    `${parts.analyze.function.functionArn}:*`,
    "LambdaInvoke may call the function's versions; the function itself is named",
  );
  acknowledgeWildcardResource(
    machine,
    `${parts.notify.function.functionArn}:*`,
    "LambdaInvoke may call the function's versions; the function itself is named",
  );
  acknowledgeWildcardResource(
    machine,
    parts.instanceArn,
    "SendCommand reaches only instances carrying the OOM Responder tag (ssm:resourceTag condition), and only this app's documents",
  );
  const invokedByWorkflow =
    'Invoked synchronously by the state machine, which catches every failure and notifies; a failed execution raises an alarm';
  acknowledge(parts.analyze.function, 'Serverless-LambdaDLQ', invokedByWorkflow);
  acknowledge(parts.notify.function, 'Serverless-LambdaDLQ', invokedByWorkflow);
  acknowledge(
    parts.detect.function,
    'Serverless-LambdaDLQ',
    'Asynchronous failures go to an on-failure destination (the encrypted SQS queue, with the whole invocation record), which this rule does not recognize',
  );
  acknowledge(
    parts.notifications.deadLetters,
    'AwsSolutions-SQS3',
    'This queue is the dead-letter destination itself (of the detector); it alarms when not empty',
  );
  acknowledge(
    parts.notifications.deadLetters,
    'Serverless-SQSRedrivePolicy',
    'This queue is the dead-letter destination itself; nothing consumes it automatically',
  );
  acknowledge(
    parts.storage.bucket,
    'AwsSolutions-S1',
    'Holds SSM command output only, written by managed instances and read by people from the console; private, TLS-only and expiring. Enable CloudTrail S3 data events for an audit trail',
  );
}
