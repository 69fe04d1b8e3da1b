import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
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
  }
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
