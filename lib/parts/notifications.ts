import { ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { IDestination } from 'aws-cdk-lib/aws-lambda';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface NotificationsProps {
  readonly topic?: ITopic;
  readonly encryptionKey?: IKey;
  /** Secret name or ARN of the Slack webhook URL. */
  readonly slackWebhookSecret?: string;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Where the pipeline speaks: the SNS topic (KMS-encrypted, TLS only) that carries incident summaries and alarms,
 * a reference to the Slack webhook secret (never its value), and the dead-letter queue that keeps events the
 * detector could not handle after Lambda's retries.
 *
 * CloudWatch alarms publish as the service `cloudwatch.amazonaws.com`, not as the account: the topic policy
 * (which, once it exists, replaces SNS's default one) must allow them, and so must the policy of the topic's key
 * (https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns). A brought-in topic or key imported by ARN
 * cannot be edited from here; the README lists the statements to add to it.
 */
export class Notifications extends Construct {
  readonly key: IKey;
  readonly topic: ITopic;
  readonly slackSecret: ISecret | undefined;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.key =
      props.encryptionKey ??
      new Key(this, 'Key', {
        description: 'OOM Responder: encrypts the notification topic and the dead-letter queue',
        enableKeyRotation: true,
        removalPolicy: props.removalPolicy,
      });
    this.topic =
      props.topic ??
      new Topic(this, 'Topic', {
        displayName: 'OOM Responder',
        masterKey: this.key,
        enforceSSL: true,
      });
    this.slackSecret = props.slackWebhookSecret ? secretReference(this, props.slackWebhookSecret) : undefined;
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const topicKey = props.topic ? props.topic.masterKey : this.key;
    allowAlarmsToPublish(this, this.topic, topicKey);
  }

  /**
   * The detector's on-failure destination: Lambda sends the invocation record to the queue with the function's
   * role, and SQS asks KMS for a data key (GenerateDataKey) and checks it (Decrypt) on the producer's behalf; a
   * producer needs only those (SQS Developer Guide, "Key management"), and only through SQS.
   */
  deadLetterDestination(): IDestination {
    const { queueArn } = this.deadLetters;
    const key = this.key;
    return {
      bind: (_scope, fn) => {
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'DeadLetterQueue',
            actions: ['sqs:SendMessage'],
            resources: [queueArn],
          }),
        );
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'DeadLetterQueueKey',
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: [key.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
          }),
        );
        return { destination: queueArn };
      },
    };
  }
}

/**
 * The statements CloudWatch alarms of this account need to publish to an encrypted topic; added to the topic and
 * key when they are constructs of this app, a no-op for ones imported by ARN (whose policies live elsewhere).
 */
export function alarmPublishStatements(scope: Construct, topicArn: string) {
  const stack = Stack.of(scope);
  const cloudwatch = new ServicePrincipal('cloudwatch.amazonaws.com');
  return {
    topic: new PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [cloudwatch],
      actions: ['sns:Publish'],
      resources: [topicArn],
      conditions: {
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
        StringEquals: { 'aws:SourceAccount': stack.account },
      },
    }),
    // Resource "*" in a key policy is the key itself. No condition: AWS documents none for this call path (SNS
    // calls KMS for the alarm), and the topic policy already limits publishing to this account's alarms.
    key: new PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToUseTheKey',
      principals: [cloudwatch],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  };
}

function allowAlarmsToPublish(scope: Construct, topic: ITopic, key: IKey | undefined): void {
  const statements = alarmPublishStatements(scope, topic.topicArn);
  topic.addToResourcePolicy(statements.topic);
  key?.addToResourcePolicy(statements.key, true);
}

/** A secret by complete ARN (with its 6-character suffix), partial ARN, or name. */
function secretReference(scope: Construct, nameOrArn: string): ISecret {
  if (nameOrArn.startsWith('arn:')) {
    return /-[A-Za-z0-9]{6}$/.test(nameOrArn)
      ? Secret.fromSecretCompleteArn(scope, 'SlackWebhook', nameOrArn)
      : Secret.fromSecretPartialArn(scope, 'SlackWebhook', nameOrArn);
  }
  return Secret.fromSecretNameV2(scope, 'SlackWebhook', nameOrArn);
}
