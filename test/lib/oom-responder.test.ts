import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { GSI2_ATTRIBUTES } from '../../functions/adapters/dynamodb/items';
import { SUBSCRIPTION_FILTER_TERMS } from '../../functions/core/detect/filter-terms';
import { EVERYTHING } from '../support/iam-configurations';
import { synthStack } from '../support/synth';

let defaults: Template;
let everything: Template;

beforeAll(() => {
  defaults = synthStack().template;
  everything = synthStack(EVERYTHING).template;
}, 60_000);

const FUNCTIONS = ['Detect', 'Analyze', 'Notify'];

describe('the OomResponder stack, as deployed by default', () => {
  it('keeps incidents in an on-demand, encrypted table with TTL, point-in-time recovery and the history index', () => {
    defaults.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'gsi1', Projection: Match.objectLike({ ProjectionType: 'INCLUDE' }) }),
        // An instance's incidents, for the message to link them: only what it shows is projected.
        Match.objectLike({
          IndexName: 'gsi2',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...GSI2_ATTRIBUTES] },
        }),
      ],
    });
  });

  it('lets only the notifier query the instance index (GSI2); the analysis queries the history index alone', () => {
    const indexesOf = (fn: string): string[] => {
      const policies = Object.values(defaults.findResources('AWS::IAM::Policy')).filter((policy) =>
        JSON.stringify(policy.Properties?.Roles ?? '').includes(fn),
      );
      return JSON.stringify(policies).match(/\/index\/gsi\d/g) ?? [];
    };
    expect(new Set(indexesOf('Notify'))).toEqual(new Set(['/index/gsi1', '/index/gsi2']));
    expect(new Set(indexesOf('Analyze'))).toEqual(new Set(['/index/gsi1']));
    expect(indexesOf('Detect')).toEqual([]);
  });

  it('writes full command output to an encrypted, private, TLS-only, expiring bucket', () => {
    defaults.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, Status: 'Enabled' })] },
    });
    defaults.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('notifies through a KMS-encrypted topic that refuses plain HTTP', () => {
    defaults.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    defaults.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    defaults.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it.each(FUNCTIONS)(
    'runs %s on Node.js 24, arm64, traced, with explicit memory, timeout and its own log group',
    (name) => {
      const fn = lambdaNamed(defaults, name);
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: expect.any(Number),
        Timeout: expect.any(Number),
        LoggingConfig: { LogGroup: expect.anything() },
      });
    },
  );

  it('reserves no concurrency (a low account quota would refuse it), and sends failed detections to a DLQ', () => {
    for (const name of FUNCTIONS)
      expect(lambdaNamed(defaults, name).ReservedConcurrentExecutions).toBeUndefined();
    defaults.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    defaults.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
  });

  it('subscribes the kernel log group with the OOM phrases', () => {
    defaults.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/oom-responder/OomResponder/kernel',
      RetentionInDays: 30,
    });
    defaults.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      FilterPattern: SUBSCRIPTION_FILTER_TERMS.map((term) => `?"${term}"`).join(' '),
      DestinationArn: Match.anyValue(),
    });
    // A cgroup killed whole says so on a line of its own: without it, a report the detector cannot read back from
    // the stream shows the cgroup's tasks as unrelated kills.
    const [filter] = Object.values(defaults.findResources('AWS::Logs::SubscriptionFilter'));
    expect(String(filter?.Properties?.FilterPattern)).toContain('?"memory.oom.group"');
    defaults.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'logs.amazonaws.com',
      Action: 'lambda:InvokeFunction',
    });
  });

  it('runs a Standard state machine with full logging and tracing', () => {
    defaults.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
  });

  it('deploys only the collect-diagnostics document: remediation is off by default', () => {
    const documents = Object.values(defaults.findResources('AWS::SSM::Document'));
    expect(documents.map((d) => d.Properties.Name)).toEqual(['OomResponder-CollectDiagnostics']);
    const content = documents[0]?.Properties.Content;
    expect(content).toMatchObject({ schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript' }] });
    for (const parameter of Object.values(content.parameters) as {
      interpolationType: string;
      allowedPattern: string;
    }[]) {
      expect(parameter.interpolationType).toBe('ENV_VAR');
      expect(parameter.allowedPattern).toMatch(/^\^/);
    }
  });

  it('sends commands only with its own documents and only to instances carrying the tag', () => {
    const statements = policyStatementsOf(defaults, 'Workflow');
    const send = statements.filter((s) => actionsOf(s).includes('ssm:SendCommand'));
    expect(send).toHaveLength(2);
    const documents = send.find((s) => JSON.stringify(s.Resource).includes(':document/'));
    expect(JSON.stringify(documents?.Resource)).toContain('document/OomResponder-CollectDiagnostics');
    expect(JSON.stringify(documents?.Resource)).not.toContain('AddSwap');
    const instances = send.find((s) => JSON.stringify(s.Resource).includes(':instance/'));
    expect(instances?.Condition).toEqual({ StringEquals: { 'ssm:resourceTag/OomResponder': 'enabled' } });
    expect(instances?.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:us-east-1:123456789012:instance/*']],
    });
    // No SendCommand on everything, anywhere.
    for (const statement of allStatements(defaults)) {
      if (actionsOf(statement).includes('ssm:SendCommand')) expect(statement.Resource).not.toBe('*');
    }
  });

  it('lets the detector read log events only in the groups it is subscribed to', () => {
    const read = policyStatementsOf(defaults, 'Detect').find((s) =>
      actionsOf(s).includes('logs:GetLogEvents'),
    );
    expect(JSON.stringify(read?.Resource)).toContain('KernelLogs');
    expect(read?.Resource).not.toBe('*');
  });

  it('alarms to the topic on dead letters, failed and timed-out responses, function errors, malformed payloads and Slack failures', () => {
    const alarms = Object.values(defaults.findResources('AWS::CloudWatch::Alarm'));
    const names = alarms.map((a) => a.Properties.MetricName ?? a.Properties.Metrics?.[0]?.Expression);
    expect(names).toEqual(
      expect.arrayContaining([
        'ApproximateNumberOfMessagesVisible',
        'ExecutionsFailed',
        'ExecutionsTimedOut',
        'Errors',
        'MalformedPayloads',
        'SlackDeliveryFailures',
      ]),
    );
    // The early-warning alarms speak per instance, through their EventBridge rule (test/lib/observability).
    const pipeline = alarms.filter((a) => !String(a.Properties.AlarmName ?? '').startsWith('OomResponder-'));
    expect(pipeline.length).toBe(alarms.length - 2);
    for (const alarm of pipeline) expect(JSON.stringify(alarm.Properties.AlarmActions)).toContain('Topic');
  });

  it('has a dashboard of kills, incidents, workflow outcomes and remediation results', () => {
    const [dashboard] = Object.values(defaults.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const title of [
      'Kills and incidents',
      'Kills by instance and process',
      'Response workflow outcomes',
      'Remediation results',
    ]) {
      expect(body).toContain(title);
    }
  });

  it('keeps CloudWatch agent configurations for each distribution in Parameter Store, streams named by instance id', () => {
    const parameters = Object.values(defaults.findResources('AWS::SSM::Parameter')).map((p) => p.Properties);
    const names = parameters.map((p) => p.Name);
    expect(names).toEqual(
      expect.arrayContaining([
        'AmazonCloudWatch-OomResponder-amazon-linux-2',
        'AmazonCloudWatch-OomResponder-amazon-linux-2023',
        'AmazonCloudWatch-OomResponder-ubuntu',
        'AmazonCloudWatch-OomResponder-all',
        'AmazonCloudWatch-OomResponder-fluent-bit-amazon-linux-2023',
      ]),
    );
    const al2 = JSON.parse(parameters.find((p) => p.Name.endsWith('-amazon-linux-2')).Value);
    expect(al2.logs.logs_collected.files.collect_list).toEqual([
      expect.objectContaining({
        file_path: '/var/log/messages',
        log_stream_name: '{instance_id}',
        log_group_name: '/oom-responder/OomResponder/kernel',
      }),
    ]);
    defaults.resourceCountIs('AWS::SSM::Association', 0);
    defaults.resourceCountIs('AWS::Logs::AccountPolicy', 0);
  });
});

describe('the OomResponder stack with every option on', () => {
  it('adds the remediation documents, granted to SendCommand, only when the policy enables them', () => {
    const documents = Object.values(everything.findResources('AWS::SSM::Document')).map(
      (d) => d.Properties.Name,
    );
    expect(documents.sort()).toEqual([
      'OomResponder-AddSwap',
      'OomResponder-CollectDiagnostics',
      'OomResponder-RestartService',
    ]);
    const send = policyStatementsOf(everything, 'Workflow').filter((s) =>
      actionsOf(s).includes('ssm:SendCommand'),
    );
    const resources = JSON.stringify(send.map((s) => s.Resource));
    expect(resources).toContain('document/OomResponder-AddSwap');
    expect(resources).toContain('document/OomResponder-RestartService');
  });

  it('passes the policy to the analysis, validated', () => {
    const policy = JSON.parse(lambdaNamed(everything, 'Analyze').Environment.Variables.REMEDIATION_POLICY);
    expect(policy).toMatchObject({
      addSwap: { enabled: true, sizeMiB: 2048 },
      restartService: { enabled: true, allowedUnits: ['app.service'] },
    });
  });

  it('reads the Slack webhook from Secrets Manager by reference: the URL is nowhere in the template', () => {
    const variables = lambdaNamed(everything, 'Notify').Environment.Variables;
    expect(JSON.stringify(variables.SLACK_WEBHOOK_SECRET)).toContain('secret:oom-responder/slack-webhook');
    const read = policyStatementsOf(everything, 'Notify').find((s) =>
      actionsOf(s).includes('secretsmanager:GetSecretValue'),
    );
    expect(JSON.stringify(read?.Resource)).toContain('secret:oom-responder/slack-webhook-??????');
    expect(JSON.stringify(everything.toJSON())).not.toMatch(/hooks\.slack\.com/);
  });

  it('covers existing log groups with the account-level policy alone, leaving out its own log groups', () => {
    everything.resourceCountIs('AWS::Logs::SubscriptionFilter', 0);
    const [policy] = Object.values(everything.findResources('AWS::Logs::AccountPolicy'));
    expect(policy?.Properties).toMatchObject({ PolicyType: 'SUBSCRIPTION_FILTER_POLICY', Scope: 'ALL' });
    const criteria = JSON.stringify(policy?.Properties.SelectionCriteria);
    expect(criteria).toContain('LogGroupName NOT IN [');
    for (const own of ['DetectLogs', 'AnalyzeLogs', 'NotifyLogs', 'WorkflowLogs'])
      expect(criteria).toContain(own);
    expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('Killed process');
  });

  it('adds per-instance early-warning alarms on available memory and swap use, and the State Manager associations', () => {
    const expressions = Object.values(everything.findResources('AWS::CloudWatch::Alarm')).flatMap(
      (a) => a.Properties.Metrics?.map((m: { Expression?: string }) => m.Expression) ?? [],
    );
    expect(expressions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SELECT MIN\(mem_available_percent\) FROM "CWAgent" GROUP BY InstanceId /),
        expect.stringMatching(/^SELECT MAX\(swap_used_percent\) FROM "CWAgent" GROUP BY InstanceId /),
      ]),
    );
    everything.hasResourceProperties('AWS::SSM::Association', {
      Name: 'AmazonCloudWatch-ManageAgent',
      Targets: [{ Key: 'tag:OomResponder', Values: ['enabled'] }],
    });
  });
});

/** The Lambda function under construct path `OomResponder/<name>/Function`. */
function lambdaNamed(template: Template, name: string) {
  const functions = template.findResources('AWS::Lambda::Function');
  const entry = Object.entries(functions).find(([id]) => id.startsWith(`OomResponder${name}Function`));
  if (!entry) throw new Error(`no function ${name}`);
  return entry[1].Properties;
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

function allStatements(template: Template): Statement[] {
  return [
    ...Object.values(template.findResources('AWS::IAM::Policy')),
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
  ].flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** Statements of the policies whose logical id starts with `OomResponder<part>`. */
function policyStatementsOf(template: Template, part: string): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(`OomResponder${part}`))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
}
