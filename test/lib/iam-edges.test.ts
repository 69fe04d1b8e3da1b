import { App, Stack } from 'aws-cdk-lib';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { OomResponder } from '../../lib/oom-responder';
import { CONFIGURATIONS, SECRET_NAME } from '../support/iam-configurations';
import {
  functionPolicyOf,
  identityPoliciesOf,
  keyPolicyOf,
  managedPolicy,
  type PolicyDocument,
  resourcePolicyOf,
} from '../support/iam-policies';
import { decide, decideUnvalidated, sessionOf } from '../support/iam-simulate';
import { ResolvedTemplate, SAMPLE } from '../support/iam-template';
import { synthStack } from '../support/synth';

/**
 * Every service-to-service edge of the synthesized stack, evaluated as AWS evaluates it (iam-simulate over the
 * template's own identity and resource policies, intrinsics resolved for a sample account): who may call what,
 * and who may not.
 */

const { account, region, partition } = SAMPLE;
const OTHER_ACCOUNT = '210987654321';
const alarmArn = (inAccount: string) =>
  `arn:${partition}:cloudwatch:${region}:${inAccount}:alarm:OomResponder-X`;
const instanceArn = `arn:${partition}:ec2:${region}:${account}:instance/i-0123456789abcdef0`;

describe.each(CONFIGURATIONS)('the service edges of the stack %s', (_, props) => {
  let t: ResolvedTemplate;
  let topic: string;
  let key: string;
  beforeAll(() => {
    t = new ResolvedTemplate(synthStack(props).template.toJSON());
    topic = t.one('AWS::SNS::Topic', 'OomResponderNotificationsTopic');
    key = t.one('AWS::KMS::Key', 'OomResponderNotificationsKey');
  }, 60_000);
  const roleSession = (prefix: string) => sessionOf(t.name(t.one('AWS::IAM::Role', prefix)));
  const policiesOf = (prefix: string) => identityPoliciesOf(t, t.one('AWS::IAM::Role', prefix));

  describe('CloudWatch alarms', () => {
    const asAlarm = (
      inAccount: string,
      action: string,
      resource: string,
      policy: PolicyDocument | undefined,
    ) =>
      decide({
        principal: 'cloudwatch.amazonaws.com',
        action,
        resource,
        context: { 'aws:SourceArn': alarmArn(inAccount), 'aws:SourceAccount': inAccount },
        resourcePolicy: policy,
      });

    it('may publish to the topic, for the alarms of this account (the topic policy decides)', async () => {
      expect(await asAlarm(account, 'sns:Publish', t.arn(topic), resourcePolicyOf(t, topic))).toBe('Allowed');
    });

    it.each(['kms:GenerateDataKey', 'kms:Decrypt'])(
      'may use the topic key: %s (the key policy decides)',
      async (a) => {
        expect(await asAlarm(account, a, t.arn(key), keyPolicyOf(t, key))).toBe('Allowed');
      },
    );

    it("may not publish for another account's alarms", async () => {
      const decision = await asAlarm(OTHER_ACCOUNT, 'sns:Publish', t.arn(topic), resourcePolicyOf(t, topic));
      expect(decision).toBe('ImplicitlyDenied');
    });
  });

  describe('the pressure function (the memory-pressure rule invokes it)', () => {
    const ROLE = 'OomResponderPressureFunctionRole';
    const as = (action: string, resource: string) =>
      decide({ principal: roleSession(ROLE), action, resource, identityPolicies: policiesOf(ROLE) });

    it('may start the pressure workflow and no other state machine', async () => {
      const pressure = t.one('AWS::StepFunctions::StateMachine', 'OomResponderPressureWorkflowStateMachine');
      const kill = t.one('AWS::StepFunctions::StateMachine', 'OomResponderWorkflowStateMachine');
      expect(await as('states:StartExecution', t.arn(pressure))).toBe('Allowed');
      expect(await as('states:StartExecution', t.arn(kill))).toBe('ImplicitlyDenied');
    });

    it('may only put items in the incident table (the conditional transaction), nothing else of it', async () => {
      const table = t.arn(t.one('AWS::DynamoDB::Table', 'OomResponderStorageIncidents'));
      expect(await as('dynamodb:PutItem', table)).toBe('Allowed');
      for (const action of [
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:DeleteItem',
      ])
        expect(await as(action, table), action).toBe('ImplicitlyDenied');
      expect(
        await as('dynamodb:PutItem', `arn:${partition}:dynamodb:${region}:${account}:table/Orders`),
      ).toBe('ImplicitlyDenied');
    });

    it('sends a failed warning to the dead-letter queue with its role', async () => {
      const queue = t.one('AWS::SQS::Queue', 'OomResponderNotificationsDeadLetters');
      const send = await decide({
        principal: roleSession(ROLE),
        action: 'sqs:SendMessage',
        resource: t.arn(queue),
        identityPolicies: policiesOf(ROLE),
        resourcePolicy: resourcePolicyOf(t, queue),
      });
      expect(send).toBe('Allowed');
    });
  });

  describe("the pressure state machine's SendCommand", () => {
    const ROLE = 'OomResponderPressureWorkflowStateMachineRole';
    const send = (resource: string, context: Record<string, string> = {}) =>
      decide({
        principal: roleSession(ROLE),
        action: 'ssm:SendCommand',
        resource,
        context,
        identityPolicies: policiesOf(ROLE),
      });
    const documentNamed = (suffix: string) =>
      t.ofType('AWS::SSM::Document').find((id) => id.startsWith(`OomResponderDocuments${suffix}`));

    it('may send the diagnostics document, and add-swap when the policy allows it, never restart-service', async () => {
      const diagnostics = documentNamed('CollectDiagnostics');
      expect(diagnostics).toBeDefined();
      expect(await send(t.arn(String(diagnostics)))).toBe('Allowed');
      const addSwap = documentNamed('AddSwap');
      const restart = documentNamed('RestartService');
      expect(Boolean(addSwap)).toBe(Boolean(props.responder?.remediationPolicy));
      if (addSwap) expect(await send(t.arn(addSwap))).toBe('Allowed');
      if (restart) expect(await send(t.arn(restart))).toBe('ImplicitlyDenied');
      expect(await send(`arn:${partition}:ssm:${region}:${account}:document/SomeoneElses-RunScript`)).toBe(
        'ImplicitlyDenied',
      );
    });

    it('reaches an instance only when it carries the instance tag', async () => {
      expect(await send(instanceArn, { 'ssm:resourceTag/OomResponder': 'enabled' })).toBe('Allowed');
      expect(await send(instanceArn, { 'ssm:resourceTag/OomResponder': 'disabled' })).toBe(
        'ImplicitlyDenied',
      );
      expect(await send(instanceArn)).toBe('ImplicitlyDenied');
    });

    it('may invoke analyze and notify, and not the detector', async () => {
      const invoke = (fn: string) =>
        decide({
          principal: roleSession(ROLE),
          action: 'lambda:InvokeFunction',
          resource: t.arn(t.one('AWS::Lambda::Function', fn)),
          identityPolicies: policiesOf(ROLE),
        });
      expect(await invoke('OomResponderAnalyzeFunction')).toBe('Allowed');
      expect(await invoke('OomResponderNotifyFunction')).toBe('Allowed');
      expect(await invoke('OomResponderDetectFunction')).toBe('ImplicitlyDenied');
    });
  });

  it('let CloudWatch Logs invoke the detector for each subscribed log group, and not for other accounts', async () => {
    const detect = t.one('AWS::Lambda::Function', 'OomResponderDetectFunction');
    const invoke = (logGroupArn: string, sourceAccount: string) =>
      decide({
        principal: 'logs.amazonaws.com',
        action: 'lambda:InvokeFunction',
        resource: t.arn(detect),
        context: { 'aws:SourceArn': logGroupArn, 'aws:SourceAccount': sourceAccount },
        resourcePolicy: functionPolicyOf(t, detect),
      });
    const groups = t.ofType('AWS::Logs::LogGroup').filter((id) => id.startsWith('OomResponderKernelLogs'));
    const subscribed = [
      ...groups.map((id) => t.arn(id)),
      ...(props.kernelLogGroupNames ?? []).map(
        (n) => `arn:${partition}:logs:${region}:${account}:log-group:${n}:*`,
      ),
    ];
    expect(subscribed.length).toBeGreaterThan(0);
    for (const arn of subscribed) expect(await invoke(arn, account), arn).toBe('Allowed');
    const foreign = `arn:${partition}:logs:${region}:${OTHER_ACCOUNT}:log-group:/oom-responder/kernel:*`;
    expect(await invoke(foreign, OTHER_ACCOUNT)).not.toBe('Allowed');
    const unsubscribed = `arn:${partition}:logs:${region}:${account}:log-group:/some/app:*`;
    expect(await invoke(unsubscribed, account)).toBe(
      props.responder?.accountSubscriptionPolicy ? 'Allowed' : 'ImplicitlyDenied',
    );
  });

  it('let each EventBridge rule invoke the functions it targets, and no other rule', async () => {
    for (const rule of t.ofType('AWS::Events::Rule')) {
      for (const target of (t.properties(rule).Targets ?? []) as { Arn: string }[]) {
        const fn = t.ofType('AWS::Lambda::Function').find((id) => t.arn(id) === target.Arn);
        if (!fn) continue;
        const invoke = (sourceArn: string) =>
          decide({
            principal: 'events.amazonaws.com',
            action: 'lambda:InvokeFunction',
            resource: t.arn(fn),
            context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': account },
            resourcePolicy: functionPolicyOf(t, fn),
          });
        expect(await invoke(t.arn(rule)), rule).toBe('Allowed');
        expect(await invoke(`arn:${partition}:events:${region}:${account}:rule/another`)).toBe(
          'ImplicitlyDenied',
        );
      }
    }
  });

  it("let EventBridge put undeliverable events in each target's encrypted dead-letter queue", async () => {
    for (const rule of t.ofType('AWS::Events::Rule')) {
      const targets = (t.properties(rule).Targets ?? []) as { DeadLetterConfig?: { Arn: string } }[];
      for (const target of targets) {
        const queue = t.ofType('AWS::SQS::Queue').find((id) => t.arn(id) === target.DeadLetterConfig?.Arn);
        if (!queue) continue;
        const asRule = (action: string, resource: string, policy: PolicyDocument | undefined) =>
          decide({
            principal: 'events.amazonaws.com',
            action,
            resource,
            context: { 'aws:SourceArn': t.arn(rule), 'aws:SourceAccount': account },
            resourcePolicy: policy,
          });
        expect(await asRule('sqs:SendMessage', t.arn(queue), resourcePolicyOf(t, queue)), rule).toBe(
          'Allowed',
        );
        const queueKey = String(t.properties(queue).KmsMasterKeyId);
        const keyId = t.ofType('AWS::KMS::Key').find((id) => t.arn(id) === queueKey);
        if (!keyId) continue;
        for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
          expect(await asRule(action, queueKey, keyPolicyOf(t, keyId)), action).toBe('Allowed');
        }
      }
    }
  });

  describe("the detector's dead-letter queue", () => {
    const viaSqs = { 'kms:ViaService': `sqs.${region}.amazonaws.com`, 'kms:CallerAccount': account };

    it('takes failed events from the detector (Lambda sends them with its role)', async () => {
      const queue = t.one('AWS::SQS::Queue', 'OomResponderNotificationsDeadLetters');
      const send = await decide({
        principal: roleSession('OomResponderDetectRole'),
        action: 'sqs:SendMessage',
        resource: t.arn(queue),
        identityPolicies: policiesOf('OomResponderDetectRole'),
        resourcePolicy: resourcePolicyOf(t, queue),
      });
      expect(send).toBe('Allowed');
    });

    // SQS encrypts a message with a data key from GenerateDataKey, and checks it with Decrypt: a producer needs
    // both, and no other key action (SQS Developer Guide, "Key management").
    it.each([
      ['kms:GenerateDataKey', 'Allowed'],
      ['kms:Decrypt', 'Allowed'],
      ['kms:Encrypt', 'ImplicitlyDenied'],
      ['kms:ReEncryptFrom', 'ImplicitlyDenied'],
    ])('lets the detector use the queue key through SQS: %s is %s', async (action, expected) => {
      const decision = await decide({
        principal: roleSession('OomResponderDetectRole'),
        action,
        resource: t.arn(key),
        context: viaSqs,
        identityPolicies: policiesOf('OomResponderDetectRole'),
        resourcePolicy: keyPolicyOf(t, key),
      });
      expect(decision).toBe(expected);
    });
  });

  describe("the state machine's SendCommand", () => {
    const send = (resource: string, context: Record<string, string> = {}) =>
      decide({
        principal: roleSession('OomResponderWorkflowStateMachineRole'),
        action: 'ssm:SendCommand',
        resource,
        context,
        identityPolicies: policiesOf('OomResponderWorkflowStateMachineRole'),
      });

    it("may send each of this app's documents", async () => {
      const documents = t
        .ofType('AWS::SSM::Document')
        .filter((id) => t.properties(id).DocumentType === 'Command');
      expect(documents.length).toBe(props.responder?.remediationPolicy ? 3 : 1);
      for (const id of documents) expect(await send(t.arn(id)), t.name(id)).toBe('Allowed');
    });

    it('reaches an instance only when it carries the instance tag', async () => {
      expect(await send(instanceArn, { 'ssm:resourceTag/OomResponder': 'enabled' })).toBe('Allowed');
      expect(await send(instanceArn, { 'ssm:resourceTag/OomResponder': 'disabled' })).toBe(
        'ImplicitlyDenied',
      );
      expect(await send(instanceArn)).toBe('ImplicitlyDenied');
    });

    it('may not send any other document', async () => {
      expect(await send(`arn:${partition}:ssm:${region}:${account}:document/SomeoneElses-RunScript`)).toBe(
        'ImplicitlyDenied',
      );
      // AWS-owned documents have no account in their ARN, which iam-data's resource pattern cannot express.
      const aws = decideUnvalidated({
        principal: roleSession('OomResponderWorkflowStateMachineRole'),
        action: 'ssm:SendCommand',
        resource: `arn:${partition}:ssm:${region}::document/AWS-RunShellScript`,
        identityPolicies: policiesOf('OomResponderWorkflowStateMachineRole'),
      });
      expect(aws).toBe('ImplicitlyDenied');
    });
  });

  describe('managed instances (the InstancePolicy output)', () => {
    const instance = (action: string, resource: string, context: Record<string, string> = {}) =>
      decide({
        principal: sessionOf('AppInstanceRole', 'i-0123456789abcdef0'),
        action,
        resource,
        context,
        identityPolicies: [managedPolicy(t, 'InstancePolicy')],
        resourcePolicy: resourcePolicyOf(t, t.one('AWS::S3::Bucket', 'OomResponderStorageDiagnostics')),
      });
    const bucketArn = () => t.arn(t.one('AWS::S3::Bucket', 'OomResponderStorageDiagnostics'));
    const output = (prefix: string) =>
      `${bucketArn()}/${prefix}/incident-1/0a1b2c3d-cmd/i-0123456789abcdef0/awsrunShellScript/collect/stdout`;

    // The agent uploads, then sets the bucket-owner-full-control ACL in a second call (amazon-ssm-agent
    // agent/s3util/s3util.go, S3Upload); AWS's instance-profile policy for your own output bucket grants
    // PutObject, PutObjectAcl and GetEncryptionConfiguration (Systems Manager User Guide, setup-instance-profile).
    it.each(['diagnostics', 'remediation'])(
      'may write command output under %s/ and set its ACL',
      async (prefix) => {
        expect(await instance('s3:PutObject', output(prefix))).toBe('Allowed');
        const acl = { 's3:x-amz-acl': 'bucket-owner-full-control' };
        expect(await instance('s3:PutObjectAcl', output(prefix), acl)).toBe('Allowed');
      },
    );

    it("may read the bucket's encryption, which is SSE-S3 (so no key grant is needed)", async () => {
      expect(await instance('s3:GetEncryptionConfiguration', bucketArn())).toBe('Allowed');
      const bucket = t.properties(t.one('AWS::S3::Bucket', 'OomResponderStorageDiagnostics'));
      expect(JSON.stringify(bucket.BucketEncryption)).toContain('"SSEAlgorithm":"AES256"');
      // BucketOwnerEnforced disables ACLs; a bucket-owner-full-control ACL is still accepted on PUT.
      expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    });

    it('may write nowhere else in the bucket, nor read it', async () => {
      expect(await instance('s3:PutObject', `${bucketArn()}/other/x`)).toBe('ImplicitlyDenied');
      expect(await instance('s3:GetObject', output('diagnostics'))).toBe('ImplicitlyDenied');
    });
  });

  it('let the notifier read only its Slack secret', async () => {
    const read = (name: string) =>
      decide({
        principal: roleSession('OomResponderNotifyRole'),
        action: 'secretsmanager:GetSecretValue',
        resource: `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`,
        identityPolicies: policiesOf('OomResponderNotifyRole'),
      });
    const configured = Boolean(props.responder?.slackWebhookSecret);
    expect(await read(SECRET_NAME)).toBe(configured ? 'Allowed' : 'ImplicitlyDenied');
    expect(await read(`${SECRET_NAME}-2`)).toBe('ImplicitlyDenied');
    expect(await read('prod/database')).toBe('ImplicitlyDenied');
  });

  it('let the detector start the response and the state machine invoke analyze and notify', async () => {
    const machine = t.one('AWS::StepFunctions::StateMachine', 'OomResponderWorkflowStateMachine');
    const start = await decide({
      principal: roleSession('OomResponderDetectRole'),
      action: 'states:StartExecution',
      resource: t.arn(machine),
      identityPolicies: policiesOf('OomResponderDetectRole'),
    });
    expect(start).toBe('Allowed');
    for (const fn of ['OomResponderAnalyzeFunction', 'OomResponderNotifyFunction']) {
      const invoke = await decide({
        principal: roleSession('OomResponderWorkflowStateMachineRole'),
        action: 'lambda:InvokeFunction',
        resource: t.arn(t.one('AWS::Lambda::Function', fn)),
        identityPolicies: policiesOf('OomResponderWorkflowStateMachineRole'),
      });
      expect(invoke, fn).toBe('Allowed');
    }
  });

  it.each(['OomResponderDetectRole', 'OomResponderAnalyzeRole', 'OomResponderNotifyRole'])(
    'let %s neither scan nor delete incidents, nor reach another table',
    async (role) => {
      const table = t.arn(t.one('AWS::DynamoDB::Table', 'OomResponderStorageIncidents'));
      const as = (action: string, resource: string) =>
        decide({ principal: roleSession(role), action, resource, identityPolicies: policiesOf(role) });
      expect(await as('dynamodb:Scan', table)).toBe('ImplicitlyDenied');
      expect(await as('dynamodb:DeleteItem', table)).toBe('ImplicitlyDenied');
      const other = `arn:${partition}:dynamodb:${region}:${account}:table/Orders`;
      expect(await as('dynamodb:GetItem', other)).toBe('ImplicitlyDenied');
      expect(await as('dynamodb:GetItem', table)).toBe('Allowed');
    },
  );

  it('deny every request without TLS to the topic, the queue and the bucket', async () => {
    const queue = t.one('AWS::SQS::Queue', 'OomResponderNotificationsDeadLetters');
    const bucket = t.one('AWS::S3::Bucket', 'OomResponderStorageDiagnostics');
    const plain = { 'aws:SecureTransport': 'false' };
    const requests = [
      {
        who: 'OomResponderNotifyRole',
        action: 'sns:Publish',
        resource: t.arn(topic),
        policy: resourcePolicyOf(t, topic),
      },
      {
        who: 'OomResponderDetectRole',
        action: 'sqs:SendMessage',
        resource: t.arn(queue),
        policy: resourcePolicyOf(t, queue),
      },
    ];
    for (const { who, action, resource, policy } of requests) {
      const decision = await decide({
        principal: roleSession(who),
        action,
        resource,
        context: plain,
        identityPolicies: policiesOf(who),
        resourcePolicy: policy,
      });
      expect(decision, action).toBe('ExplicitlyDenied');
    }
    const put = await decide({
      principal: sessionOf('AppInstanceRole'),
      action: 's3:PutObject',
      resource: `${t.arn(bucket)}/diagnostics/x`,
      context: plain,
      identityPolicies: [managedPolicy(t, 'InstancePolicy')],
      resourcePolicy: resourcePolicyOf(t, bucket),
    });
    expect(put).toBe('ExplicitlyDenied');
    const alarmOverHttp = await decide({
      principal: 'cloudwatch.amazonaws.com',
      action: 'sns:Publish',
      resource: t.arn(topic),
      context: { ...plain, 'aws:SourceArn': alarmArn(account), 'aws:SourceAccount': account },
      resourcePolicy: resourcePolicyOf(t, topic),
    });
    expect(alarmOverHttp).toBe('ExplicitlyDenied');
  });
});

describe('a brought-in topic and key', () => {
  const embed = (bring: (stack: Stack) => { topic: ITopic; key: IKey }) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Host', { env: { account, region } });
    const { topic, key } = bring(stack);
    new OomResponder(stack, 'OomResponder', { notificationTopic: topic, encryptionKey: key });
    return app.synth().getStackByName('Host').template as ConstructorParameters<typeof ResolvedTemplate>[0];
  };

  it('get the alarm statements when they are constructs of the same app', async () => {
    const raw = embed((stack) => {
      const key = new Key(stack, 'TeamKey');
      return { topic: new Topic(stack, 'TeamTopic', { masterKey: key }), key };
    });
    const t = new ResolvedTemplate(raw);
    const topic = t.one('AWS::SNS::Topic', 'TeamTopic');
    const key = t.one('AWS::KMS::Key', 'TeamKey');
    const context = { 'aws:SourceArn': alarmArn(account), 'aws:SourceAccount': account };
    const principal = 'cloudwatch.amazonaws.com';
    const publish = { principal, action: 'sns:Publish', resource: t.arn(topic), context };
    expect(await decide({ ...publish, resourcePolicy: resourcePolicyOf(t, topic) })).toBe('Allowed');
    const useKey = { principal, action: 'kms:GenerateDataKey', resource: t.arn(key), context };
    expect(await decide({ ...useKey, resourcePolicy: keyPolicyOf(t, key) })).toBe('Allowed');
  });

  it('are left alone when imported by ARN (the README says what to add to their policies)', () => {
    const raw = embed((stack) => ({
      topic: Topic.fromTopicArn(stack, 'TeamTopic', `arn:${partition}:sns:${region}:${account}:team-alerts`),
      key: Key.fromKeyArn(
        stack,
        'TeamKey',
        `arn:${partition}:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      ),
    }));
    const t = new ResolvedTemplate(raw);
    expect(t.ofType('AWS::SNS::TopicPolicy')).toEqual([]);
    expect(t.ofType('AWS::KMS::Key')).toEqual([]);
  });
});
